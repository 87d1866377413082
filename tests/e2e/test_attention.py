"""Content health in Chromium: a visitor says an Arabic article did not help and why, the
knowledge manager reads it, sees what needs attention, and readers are told when a
translation may be out of date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.db import transaction
from portal.editorial.attention import scan_attention
from portal.tickets.intake import open_ticket
from portal.tickets.knowledge_feedback import flag_article
from portal.tickets.values import TicketDraft
from tests.e2e.sites import (
    ARTICLES,
    Site,
    add_user,
    git,
    make_app,
    open_page,
    serve,
    write_articles,
)

pytestmark = pytest.mark.browser

OLD_GUIDE = """\
    ---
    title: دليل الطابعات القديم
    lang: ar
    category: support
    owner: it-service-desk
    review_by: 2020-01-01
    ---

    هذا الدليل يحتاج إلى مراجعة.
    """


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("attention")
    articles = write_articles(root, {**ARTICLES, "support/old-guide.ar.md": OLD_GUIDE})
    # The English version changes after the Arabic one: the Arabic one is now behind.
    english = articles / "accounts/reset-password.en.md"
    english.write_text(
        english.read_text(encoding="utf-8") + "\nIf no code arrives, call 4444.\n", encoding="utf-8"
    )
    git(articles, "commit", "-q", "-am", "reset-password: the help line")
    app = make_app(root, articles, "attention-secret")
    services = app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        manager = add_user(
            session, email="km@example.com", name="منى", role="knowledge_manager", now=now
        )
        agent = add_user(
            session,
            email="agent@example.com",
            name="عادل",
            role="agent",
            tier=1,
            teams=("support",),
            now=now,
        )
        requester = add_user(session, email="r@example.com", name="ريم", role="requester", now=now)
        opened = open_ticket(
            session,
            services.settings.tickets,
            requester=requester,
            draft=TicketDraft(subject="لا يصلني رمز التحقق", body="طلبته ثلاث مرات."),
            now=now,
        )
        flag_article(
            session, agent, opened.ticket.reference, article_id="two-step",
            reason="لا تذكر ماذا أفعل إذا ضاع الهاتف", now=now,
        )  # fmt: skip
        scan_attention(session, services.repository, services.settings, now=now)
    with serve(app, {"manager": manager}) as site:
        yield site


def test_feedback_attention_and_stale_translation(
    site: Site, browser: Any, artifacts: Path
) -> None:
    base = site.base
    errors: list[str] = []
    reader = open_page(browser, site, None, errors)
    reader.goto(base + "/kb/ar/reset-password", wait_until="load")
    # UI strings come from the catalog: the test checks structure and the people's own words.
    notice = reader.locator(".translation-notice")
    assert notice.is_visible()
    assert notice.locator('a[href="/kb/en/reset-password"]').count() == 1
    feedback = reader.locator("#feedback")
    assert feedback.locator("textarea").is_hidden()  # the reason comes after "No"
    feedback.locator('[data-feedback-buttons] button[value="no"]').click()
    feedback.locator("textarea").wait_for(state="visible")
    assert feedback.locator(".feedback-thanks").is_visible()
    feedback.locator("textarea").fill("لم تذكر ماذا أفعل إذا تغيّر رقم هاتفي")
    feedback.locator("[data-feedback-send]").click()
    feedback.locator("textarea").wait_for(state="hidden")
    assert reader.url.endswith("/kb/ar/reset-password")  # no page load: thanked in place
    reader.screenshot(path=str(artifacts / "feedback-ar.png"), full_page=True)

    manager = open_page(browser, site, site.users["manager"], errors)
    manager.goto(base + "/attention/feedback", wait_until="load")
    summary = manager.locator(".feedback-summary").first.inner_text()
    assert "لم تذكر ماذا أفعل إذا تغيّر رقم هاتفي" in summary
    assert manager.locator(".feedback-summary .feedback-no").first.inner_text().endswith("1")
    manager.goto(base + "/attention/", wait_until="load")
    flagged = manager.locator(".attention-item.reason-agent_flag").inner_text()
    assert "لا تذكر ماذا أفعل إذا ضاع الهاتف" in flagged
    assert (
        "دليل الطابعات القديم" in manager.locator(".attention-item.reason-review_due").inner_text()
    )
    assert manager.locator(".attention-item.reason-translation_stale").count() == 1
    manager.screenshot(path=str(artifacts / "attention-ar.png"), full_page=True)
    manager.goto(base + "/attention/translations/ar/reset-password", wait_until="load")
    added = manager.locator(".diff-add ins").all_inner_texts()
    assert "If no code arrives, call 4444." in added
    assert re.search(r"reset-password", manager.url)
    assert not errors, errors
