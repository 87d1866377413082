"""The editing story in Chromium, Arabic interface: a knowledge manager edits a live article
in the browser (live preview, right to left) while the live article stays unchanged, sends it
for review; a second knowledge manager approves; search finds the new text at once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sites import ARTICLES, Site, build_site, signed_in

pytestmark = pytest.mark.browser

NEW_TEXT = "اطلب رمز التحقق من تطبيق سند الجديد على هاتفك."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people = {
        "editor": {"email": "editor@example.com", "name": "كريم", "role": "knowledge_manager"},
        "reviewer": {"email": "reviewer@example.com", "name": "رنا", "role": "knowledge_manager"},
    }
    root = tmp_path_factory.mktemp("review-story")
    with build_site(
        root, ARTICLES, "review-story-secret", people, message="story knowledge base"
    ) as site:
        yield site


@pytest.fixture
def pages(browser: Any, site: Site) -> Iterator[dict[str, Any]]:
    """One signed-in browser per person; console errors (CSP included) fail the test."""
    with signed_in(browser, site) as people:
        yield {key: person.page for key, person in people.items()}


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
