"""Promote to article in Chromium: an agent resolves an Arabic ticket and promotes it; the
draft carries no personal data and waits in the review queue; a knowledge manager approves
it on the review page; the ticket shows "resolved by" the new article and the article counts
the ticket."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from portal.db import transaction
from portal.kb.workflow import get_draft
from portal.tickets.intake import open_ticket
from portal.tickets.models import TicketPromotion
from portal.tickets.values import TicketDraft
from tests.e2e.sites import ARTICLES, Person, Site, build_site, signed_in

pytestmark = pytest.mark.browser

REQUESTER = "ريم الشهري"
EMAIL = "reem.alshehri@example.com"
PERSONAL = (
    "ريم",
    "الشهري",
    "reem",
    EMAIL,
    "٠٥٥١٢٣٤٥٦٧",
    "123 4567",
    "VIP-SECRET",
    "HD-",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people: dict[str, dict[str, Any]] = {
        "requester": {"email": EMAIL, "name": REQUESTER, "role": "requester"},
        "agent": {
            "email": "agent@example.com",
            "name": "Adel Agent",
            "role": "agent",
            "tier": 1,
            "teams": ("support",),
        },
        "knowledge_manager": {
            "email": "manager@example.com",
            "name": "Mona Manager",
            "role": "knowledge_manager",
        },
    }
    root = tmp_path_factory.mktemp("promote")
    with build_site(
        root, ARTICLES, "promote-secret", people, lang="en", message="promote knowledge base"
    ) as site:
        yield site


@pytest.fixture
def people(browser: Any, site: Site) -> Iterator[dict[str, Person]]:
    """One English-interface browser per person, failing on console errors (CSP included)."""
    with signed_in(browser, site, locale="en") as people:
        yield people


def open_arabic_ticket(site: Site) -> str:
    services = site.app.extensions["sanad"]
    with transaction(services.sessions) as session:
        result = open_ticket(
            session,
            services.settings.tickets,
            requester=site.users["requester"],
            draft=TicketDraft(
                subject="ريم: لا يصلني رمز إعادة تعيين كلمة المرور",
                body=(
                    f"أنا {REQUESTER}، طلبت رمز إعادة تعيين كلمة المرور ثلاث مرات ولم يصل."
                    f" رقمي ٠٥٥١٢٣٤٥٦٧ وبريدي {EMAIL}"
                ),
                lang="ar",
            ),
            now=dt.datetime.now(dt.UTC),
        )
    return result.ticket.reference


def assert_no_personal_data(text: str) -> None:
    for secret in PERSONAL:
        assert secret not in text, f"{secret!r} leaked into: {text}"


def test_promote_story(site: Site, people: dict[str, Person], artifacts: Path) -> None:
    reference = open_arabic_ticket(site)
    adel = people["agent"].page
    adel.goto(f"{site.base}/agent/tickets/{reference}", wait_until="load")
    # No promotion before the ticket is resolved.
    assert adel.locator(f'a[href="/agent/tickets/{reference}/promote"]').count() == 0
    adel.locator("#reply-body").fill("يا ريم، افتحي صفحة الحساب واطلبي رمزًا جديدًا بعد دقيقة.")
    adel.locator('.reply-form button[name=internal][value="0"]').click()
    adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))
    adel.locator("[data-action-bar] [data-mode=note]").click()  # the bar's "note"
    adel.locator("#reply-body").fill("ملاحظة داخلية: المديرة طلبت الإسراع VIP-SECRET")
    adel.locator('.reply-form button[name=internal][value="1"]').click()
    adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))
    adel.locator("[data-action-bar] [aria-controls=act-resolve]").click()
    adel.locator("#resolve-article").fill("reset-password")  # an id typed still works
    adel.locator("#resolve-note").fill(
        f"أعدنا إرسال الرمز إلى الرقم +966 55 123 4567 (التذكرة {reference})."
    )
    adel.locator(".resolve-form button[type=submit]").click()
    adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))

    # Promote: similar articles first, then what will be created.
    adel.locator(f'a[href="/agent/tickets/{reference}/promote"]').click()
    adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}/promote$"))
    assert adel.locator('.promote-similar a[href="/kb/ar/reset-password"]').count() == 1
    preview = adel.locator(".promote-preview").inner_text()
    assert "## الأعراض" in preview
    assert "## خطوات الحل" in preview
    assert "افتحي صفحة الحساب" in preview
    assert_no_personal_data(preview)
    adel.screenshot(path=str(artifacts / "promote-confirm-en.png"), full_page=True)
    adel.locator(f'form[action="/agent/tickets/{reference}/promote"] button').click()
    adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))
    assert adel.locator(".flash-success").count() == 1

    services = site.app.extensions["sanad"]
    with transaction(services.sessions) as session:
        draft_id = session.scalars(select(TicketPromotion.draft_id)).one()
        draft = get_draft(session, services.repository, draft_id)
    assert draft.source_tickets == (reference,)
    assert draft.lang == "ar"
    assert_no_personal_data(draft.title + draft.markdown)

    assert draft.status == "review"  # in the knowledge managers' queue from the start

    # A knowledge manager finds it waiting for review and approves it on the review page.
    mona = people["knowledge_manager"].page
    mona.goto(f"{site.base}/review/", wait_until="load")
    waiting = mona.locator('section[aria-labelledby="waiting-title"]')
    waiting.locator(f'a[href="/review/drafts/{draft_id}"]').click()
    mona.wait_for_url(re.compile(rf"/review/drafts/{draft_id}$"))
    mona.locator(f'form[action="/review/drafts/{draft_id}/approve"] button').click()
    mona.wait_for_load_state("load")

    # The ticket now says which article resolved it, to the agent and to the requester.
    adel.reload(wait_until="load")
    resolved = adel.locator(".resolved-by a")
    assert resolved.count() == 1
    article_url = resolved.get_attribute("href")
    assert article_url is not None
    assert article_url.startswith("/kb/ar/")
    reem = people["requester"].page
    reem.goto(f"{site.base}/tickets/{reference}", wait_until="load")
    assert reem.locator(f'.resolved-by a[href="{article_url}"]').count() == 1

    # The article is live, free of personal data, and counts the ticket it resolved.
    reem.locator(".resolved-by a").click()
    reem.wait_for_url(re.compile(re.escape(article_url) + "$"))
    assert_no_personal_data(reem.locator("article.article").inner_text())
    assert reem.locator(".article-impact").inner_text().strip() == "Resolved 1 ticket"
    reem.screenshot(path=str(artifacts / "promote-article-en.png"), full_page=True)
