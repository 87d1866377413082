"""The agent's canned-response picker in Chromium: typed without hamza, it finds the Arabic reply
on demand and inserts it at the reply box with its placeholders filled for the ticket; the
management page pages its list. Both directions, at 390 px with no horizontal overflow."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from portal.db import transaction
from portal.tickets.canned_responses import save_canned_response
from portal.tickets.intake import open_ticket
from portal.tickets.values import TicketDraft
from tests.e2e.sites import ARTICLES, Person, Site, build_site, signed_in

pytestmark = pytest.mark.browser

REPLY = "أهلاً بك يا {اسم_مقدم_الطلب}، أعد تشغيل برنامج الشبكة الخاصة ثم أخبرنا. {agent_name}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people: dict[str, dict[str, Any]] = {
        "requester": {"email": "requester@example.com", "name": "ريم", "role": "requester"},
        "agent": {"email": "agent@example.com", "name": "عادل", "role": "agent", "tier": 1},
    }
    root = tmp_path_factory.mktemp("canned")
    with build_site(root, ARTICLES, "canned-secret", people) as site:
        yield site


@pytest.fixture(scope="module")
def reference(site: Site) -> str:
    """27 canned responses (one Arabic) and a requester's Arabic ticket; its reference."""
    services = site.app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        agent = site.users["agent"]
        save_canned_response(
            session, agent, title="ترحيب وإعادة تشغيل", body=REPLY, lang="ar", now=now
        )
        save_canned_response(
            session, agent, title="Restart", body="Please restart.", lang="en", now=now
        )
        for number in range(25):
            save_canned_response(
                session, agent, title=f"Stock {number:02d}", body="Thanks.", lang="en", now=now
            )
        result = open_ticket(
            session,
            services.settings.tickets,
            requester=site.users["requester"],
            draft=TicketDraft(subject="الشبكة تنقطع", body="تنقطع كل ساعة.", lang="ar"),
            now=now,
        )
    return result.ticket.reference


def _no_overflow(page: Any) -> None:
    width, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= client


@pytest.mark.parametrize("locale", ["ar", "en"])
def test_the_picker_finds_an_arabic_reply_without_hamza_and_inserts_it(
    browser: Any, site: Site, reference: str, locale: str
) -> None:
    with signed_in(browser, site, locale=locale) as people:
        agent: Person = people["agent"]
        page = agent.page
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{site.base}/agent/tickets/{reference}", wait_until="load")
        assert page.evaluate("() => document.documentElement.dir") == (
            "rtl" if locale == "ar" else "ltr"
        )
        page.locator("#reply-body").fill("مرحبا")
        search = page.locator("#canned-search")
        search.fill("اهلا اعد تشغيل")  # no hamza, no tanween: the saved text has both
        # The first answer (every response, Arabic first) is replaced by the search's one.
        page.wait_for_function(
            "() => document.querySelectorAll('#canned-results button').length === 1"
        )
        choice = page.locator("#canned-results button")
        assert choice.inner_text() == "ترحيب وإعادة تشغيل"
        _no_overflow(page)
        choice.click()
        # Placeholders arrive filled for this ticket: the requester's and the agent's names.
        filled = REPLY.replace("{اسم_مقدم_الطلب}", "ريم").replace("{agent_name}", "عادل")
        assert page.locator("#reply-body").input_value() == "مرحبا " + filled
        search.fill("لا شيء يطابق هذا")
        page.locator(
            "#canned-status",
            has_text="لا يوجد رد جاهز مطابق." if locale == "ar" else "No canned response matches.",
        ).wait_for()

        page.goto(f"{site.base}/agent/canned?page=2", wait_until="load")
        assert page.locator(".pagination").count() == 1
        assert page.locator("article.message").count() == 7  # 27 responses, 20 per page
        _no_overflow(page)
