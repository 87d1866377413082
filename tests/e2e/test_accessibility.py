"""Accessibility in Chromium: axe-core on every page of ``tests/e2e/pages.py``, as each role,
in Arabic and English, finds no serious or critical violation.

axe-core comes from the npm registry into the gitignored ``.cache/axe-core/`` (``make axe``,
part of ``make install-test``); it is never committed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.config import PROJECT_ROOT
from tests.e2e.pages import ROLES, PagesSite, pages_site
from tests.e2e.sites import TIMEOUT_MS
from tests.support.prerequisites import missing

pytestmark = pytest.mark.browser

AXE_CACHE = PROJECT_ROOT / ".cache" / "axe-core"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => v.id + ' (' + v.impact + '): ' +
      v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    found = sorted(AXE_CACHE.glob("*/axe.min.js"))
    if not found:
        missing(f"axe-core is not in {AXE_CACHE}: run `make axe` (fetches it from npm)")
    return Path(found[-1]).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagesSite]:
    with pages_site(tmp_path_factory.mktemp("axe")) as site:
        yield site


def test_no_serious_or_critical_violations(pages: PagesSite, browser: Any, axe_source: str) -> None:
    site = pages.site
    problems: list[str] = []
    for role in ROLES:
        # The site's CSP rightly refuses injected script; the check may bypass it.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        if role != "visitor":
            context.add_cookies([site.cookie_for(site.users[role])])
        context.add_init_script(axe_source)
        page = context.new_page()
        try:
            for locale in ("ar", "en"):
                context.add_cookies([{"name": "sanad_locale", "value": locale, "url": site.base}])
                if role == "visitor" and locale == "ar":  # the check itself works
                    page.goto(pages.urls(role)[0], wait_until="load")
                    page.evaluate("document.body.append(document.createElement('img'))")
                    assert any(v.startswith("image-alt") for v in page.evaluate(RUN_AXE))
                for url in pages.urls(role):
                    page.goto(url, wait_until="load")
                    problems.extend(f"{role} {locale} {url}: {v}" for v in page.evaluate(RUN_AXE))
        finally:
            context.close()
    assert not problems, "\n".join(problems)
