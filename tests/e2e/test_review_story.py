"""The editing story in Chromium, Arabic interface: a knowledge manager edits a live article
in the browser (live preview, right to left) while the live article stays unchanged, sends it
for review; a second knowledge manager approves; search finds the new text at once."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.services import create_user
from portal.db import transaction, upgrade_database
from tests.e2e.conftest import ARTICLES, TIMEOUT_MS
from tests.e2e.test_ticket_story import CHEAP, Site
from tests.web.conftest import CATEGORIES_YML, compile_catalogs

pytestmark = pytest.mark.browser

NEW_TEXT = "اطلب رمز التحقق من تطبيق سند الجديد على هاتفك."


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=e2e@sanad.invalid", "-c", "user.name=e2e", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    compile_catalogs()
    root = tmp_path_factory.mktemp("review-story")
    articles = root / "articles"
    articles.mkdir()
    (articles / "_categories.yml").write_text(CATEGORIES_YML, encoding="utf-8")
    for name, text in ARTICLES.items():
        path = articles / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    _git(articles, "init", "-q", "-b", "main")
    _git(articles, "add", "-A")
    _git(articles, "commit", "-q", "-m", "story knowledge base")
    database_url = f"sqlite:///{root / 'sanad.db'}"
    upgrade_database(database_url)
    app = create_app(
        {
            "instance_dir": root / "instance",
            "database_url": database_url,
            "articles_dir": articles,
            "index_dir": root / "search_index",
            "secret_key": "review-story-secret",
        }
    )
    services = app.extensions["sanad"]
    services.search.sync()
    users = {}
    with transaction(services.sessions) as session:
        for key, name in (("editor", "كريم"), ("reviewer", "رنا")):
            users[key] = create_user(
                session,
                CHEAP,
                email=f"{key}@example.com",
                name=name,
                password="correct-Horse-battery-9",
                roles=("knowledge_manager",),
                lang="ar",
                now=dt.datetime.now(dt.UTC),
            )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", app, users)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        services.search.close()
        services.engine.dispose()


@pytest.fixture
def pages(browser: Any, site: Site) -> Iterator[dict[str, Any]]:
    """One signed-in browser per person; console errors (CSP included) fail the test."""
    contexts, found, errors = [], {}, []
    for key, user in site.users.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([site.cookie_for(user)])
        page = context.new_page()
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error, e=errors: e.append(f"page error: {error}"))
        contexts.append(context)
        found[key] = page
    yield found
    for context in contexts:
        context.close()
    assert not errors, f"console errors: {errors}"


def test_edit_review_publish_and_find(site: Site, pages: dict[str, Any], tmp_path: Path) -> None:
    karim = pages["editor"]
    karim.goto(site.base + "/kb/ar/reset-password", wait_until="load")
    assert karim.locator("html").get_attribute("dir") == "rtl"
    karim.locator('.staff-tools a[href*="/review/drafts/new"]').click()
    karim.wait_for_url(re.compile(r"/review/drafts/new\?"))
    body = karim.locator("#markdown")
    assert "إذا نسيت" in body.input_value()
    body.fill(body.input_value() + "\n\n## الرمز الجديد\n\n" + NEW_TEXT + "\n")
    # The live preview renders the new text, right to left like the article.
    preview = karim.locator(".preview-body")
    preview.locator("h2", has_text="الرمز الجديد").wait_for()
    assert preview.get_attribute("dir") == "rtl"
    karim.screenshot(path=str(tmp_path / "review-editor-ar.png"), full_page=True)
    karim.locator('.editor-form button[type="submit"]:not([name])').click()
    karim.wait_for_url(re.compile(r"/review/drafts/[^/]+$"))
    draft_url = karim.url
    assert NEW_TEXT in (karim.locator(".diff-table").text_content() or "")

    # The live article is unchanged until approval.
    karim.goto(site.base + "/kb/ar/reset-password", wait_until="load")
    assert NEW_TEXT not in karim.locator(".article-body").inner_text()
    karim.goto(draft_url, wait_until="load")
    karim.locator('form[action$="/submit"] button').click()
    karim.wait_for_url(draft_url)
    assert karim.locator('form[action$="/approve"]').count() == 0  # not their own

    rana = pages["reviewer"]
    rana.goto(site.base + "/review/", wait_until="load")
    rana.locator(f'a[href="{draft_url.removeprefix(site.base)}"]').first.click()
    rana.wait_for_url(draft_url)
    rana.locator('form[action$="/approve"] button').click()
    rana.wait_for_url(draft_url)
    assert rana.locator(".draft-status-published").count() == 1
    rana.screenshot(path=str(tmp_path / "review-approved-ar.png"), full_page=True)

    # Searchable at once, and live.
    rana.goto(site.base + "/search?q=" + "تطبيق سند الجديد", wait_until="load")
    assert rana.locator('a[href="/kb/ar/reset-password"]').count() >= 1
    rana.goto(site.base + "/kb/ar/reset-password", wait_until="load")
    assert NEW_TEXT in rana.locator(".article-body").inner_text()
    assert (tmp_path / "review-editor-ar.png").exists()
