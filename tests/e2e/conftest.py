"""Browser fixtures: one Debian Chromium per session, one live server per module.

Playwright never downloads a browser here: it drives /usr/bin/chromium, and the tests skip
with a clear message when it is absent (``make test`` installs it); under CI=true they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.config import PROJECT_ROOT
from tests.e2e.sites import ARTICLES, make_app, serve, write_articles
from tests.support.prerequisites import missing

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal on a free port of 127.0.0.1, over a small bilingual knowledge base."""
    root = tmp_path_factory.mktemp("e2e")
    articles = write_articles(root, ARTICLES, message="e2e knowledge base")
    with serve(make_app(root, articles, "e2e-secret")) as site:
        yield site.base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is absent: install Debian's chromium (make browser) to run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
