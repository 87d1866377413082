"""Review integrity in Chromium, English interface: the review page sends the version the
reviewer read, so a draft changed meanwhile is not published and the page shows what changed
since; a reviewer who changed the text is refused; a third person approves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.sites import ARTICLES, Site, build_site, signed_in

pytestmark = pytest.mark.browser

SNEAKY = "Also e-mail your password to helpdesk-verify@example.net."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people = {
        "author": {"email": "karim@example.com", "name": "Karim", "role": "knowledge_manager"},
        "reviewer": {"email": "rana@example.com", "name": "Rana", "role": "knowledge_manager"},
        "second": {"email": "layla@example.com", "name": "Layla", "role": "knowledge_manager"},
    }
    root = tmp_path_factory.mktemp("review-integrity")
    with build_site(
        root, ARTICLES, "review-integrity-secret", people, lang="en", message="kb"
    ) as site:
        yield site


@pytest.fixture
def pages(browser: Any, site: Site) -> Iterator[dict[str, Any]]:
    with signed_in(browser, site, locale="en") as people:
        yield {key: person.page for key, person in people.items()}


def save_text(page: Any, text: str) -> None:
    body = page.locator("#markdown")
    body.fill(body.input_value() + "\n\n" + text + "\n")
    page.locator('.editor-form button[type="submit"]:not([name])').click()
    page.wait_for_load_state("load")


def send_for_review(page: Any, url: str) -> None:
    page.goto(url, wait_until="load")
    page.locator('form[action$="/submit"] button').click()
    page.wait_for_url(url)


def test_approval_is_tied_to_what_the_reviewer_read(site: Site, pages: dict[str, Any]) -> None:
    karim, rana, layla = pages["author"], pages["reviewer"], pages["second"]
    karim.goto(site.base + "/review/drafts/new?article_id=reset-password&lang=en")
    save_text(karim, "Ask the desk for a new code.")
    karim.wait_for_url(re.compile(r"/review/drafts/[^/]+$"))
    draft_url = karim.url
    send_for_review(karim, draft_url)

    # Rana opens it: the approve form carries the version on her screen.
    rana.goto(draft_url, wait_until="load")
    approve = rana.locator("form.approve-form")
    read = approve.locator('input[name="base"]').get_attribute("value")
    assert read is not None
    assert re.fullmatch(r"[0-9a-f]{40}", read)
    assert rana.locator(".since-review").count() == 0

    # Karim changes the text while she reads, and sends it again.
    karim.goto(draft_url, wait_until="load")
    save_text(karim, SNEAKY)
    assert "takes the draft out of review" in karim.locator("main").inner_text()
    send_for_review(karim, draft_url)

    # Her approval of the old page publishes nothing and says why.
    approve.locator("button").click()
    rana.wait_for_url(draft_url)
    assert "changed after you opened it" in rana.locator("main").inner_text()
    since = rana.locator(".since-review")
    assert since.count() == 1
    assert SNEAKY in (since.text_content() or "")
    fresh = rana.locator('form.approve-form input[name="base"]').get_attribute("value")
    assert fresh != read
    rana.goto(site.base + "/kb/en/reset-password", wait_until="load")
    assert "helpdesk-verify" not in rana.locator(".article-body").inner_text()

    # Rana removes the bad line herself: now she changed it, another reviewer must approve.
    rana.goto(draft_url, wait_until="load")
    body = rana.locator("#markdown")
    body.fill(body.input_value().replace(SNEAKY, "Never share your password."))
    rana.locator('.editor-form button[type="submit"]:not([name])').click()
    rana.wait_for_url(draft_url)
    send_for_review(rana, draft_url)
    assert rana.locator("form.approve-form").count() == 0
    refusal = rana.locator(".approve-refusal")
    assert "You changed this draft since its last review" in (refusal.text_content() or "")

    # Layla, who changed nothing, approves what she sees.
    layla.goto(draft_url, wait_until="load")
    assert "Never share your password." in (layla.locator(".since-review").text_content() or "")
    layla.locator("form.approve-form button").click()
    layla.wait_for_url(draft_url)
    assert layla.locator(".draft-status-published").count() == 1
    layla.goto(site.base + "/kb/en/reset-password", wait_until="load")
    text = layla.locator(".article-body").inner_text()
    assert "Never share your password." in text
    assert "helpdesk-verify" not in text
