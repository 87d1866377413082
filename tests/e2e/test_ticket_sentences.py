"""The agent's ticket page in Chromium, both languages: the status menu of a new ticket says
"New", the team shows its label, and every history line is a sentence in the reader's
language (issue 10)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from portal.db import transaction
from portal.tickets.intake import open_ticket
from portal.tickets.values import TicketDraft
from tests.e2e.sites import ARTICLES, Site, build_site, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people: dict[str, dict[str, Any]] = {
        "requester": {"email": "mona@example.com", "name": "Mona", "role": "requester"},
        "agent": {
            "email": "khalid@example.com",
            "name": "Khalid",
            "role": "agent",
            "tier": 1,
            "teams": ("support",),
        },
    }
    root = tmp_path_factory.mktemp("sentences")
    with build_site(root, ARTICLES, "sentences-secret", people, message="kb") as site:
        yield site


def new_ticket(site: Site, subject: str, lang: str) -> str:
    wired = site.app.extensions["sanad"]
    with transaction(wired.sessions) as session:
        result = open_ticket(
            session,
            wired.settings.tickets,
            requester=site.users["requester"],
            draft=TicketDraft(subject=subject, body="It stopped this morning.", lang=lang),
            now=dt.datetime.now(dt.UTC),
        )
    return str(result.ticket.reference)


def work_the_ticket(page: Any, site: Site, reference: str) -> None:
    page.goto(f"{site.base}/agent/tickets/{reference}", wait_until="load")
    page.locator('form[action$="/claim"] button').click()
    page.wait_for_load_state("load")
    page.select_option("#priority", "high")
    page.locator('form[action$="/update"] button').click()
    page.wait_for_load_state("load")


def history(page: Any) -> str:
    page.locator("details.history summary").click()
    return str(page.locator("details.history").inner_text())


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_new_ticket_menu_team_label_and_history_sentences(
    browser: Any, site: Site, locale: str
) -> None:
    reference = new_ticket(site, f"VPN drops ({locale})", locale)
    with signed_in(browser, site, locale=locale) as people:
        khalid = people["agent"].page
        khalid.goto(f"{site.base}/agent/tickets/{reference}", wait_until="load")
        shown = khalid.locator("#status option:checked").inner_text().strip()
        team = khalid.locator(".ticket-facts").inner_text()
        work_the_ticket(khalid, site, reference)
        text = history(khalid)
    if locale == "en":
        assert shown == "New"
        assert "Support team" in team
        assert "Mona opened the ticket (Web)" in text
        assert "Khalid took the ticket" in text
        assert "Khalid changed the status from New to Open" in text
        assert "Khalid changed the priority from Normal to High" in text
    else:
        assert shown == "جديدة"
        assert "فريق الدعم" in team
        assert "Khalid غيّر الحالة من جديدة إلى مفتوحة" in text
        assert "Khalid غيّر الأولوية من عادية إلى عالية" in text
    for raw in ("status status", "assign assignee", "update priority", "opened web", "→"):
        assert raw not in text
