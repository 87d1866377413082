"""A long subject never widens a page (issue 10: one 200-character subject made the queue
2,928 px wide): the agent's queue and ticket page and the requester's list and ticket, at a
phone's 390 px and at 1280 px, in both languages, with a subject of the longest allowed length
written as one unbroken word (a pasted URL or error string)."""

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

SUBJECTS = {
    "en": ("VPN_client_error_0x80070005_access_denied_" * 5)[:200],
    "ar": ("الاتصال_بالشبكة_الخاصة_لا_يعمل_" * 7)[:200],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people: dict[str, dict[str, Any]] = {
        "requester": {"email": "rana@example.com", "name": "Rana", "role": "requester"},
        "agent": {"email": "adel@example.com", "name": "Adel", "role": "agent", "tier": 1,
                  "teams": ("support",)},
    }  # fmt: skip
    root = tmp_path_factory.mktemp("long-subject")
    with build_site(root, ARTICLES, "long-subject-secret", people, message="kb") as site:
        yield site


def open_long(site: Site, lang: str) -> str:
    wired = site.app.extensions["sanad"]
    subject = SUBJECTS[lang]
    assert len(subject) == 200  # the longest subject intake accepts
    with transaction(wired.sessions) as session:
        opened = open_ticket(
            session,
            wired.settings.tickets,
            requester=site.users["requester"],
            draft=TicketDraft(subject=subject, body="See the subject.", lang=lang),
            now=dt.datetime.now(dt.UTC),
        )
        return str(opened.ticket.reference)


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_a_long_subject_never_widens_a_page(browser: Any, site: Site, locale: str) -> None:
    reference = open_long(site, locale)
    paths = {
        "agent": ("/agent", f"/agent/tickets/{reference}"),
        "requester": ("/tickets", f"/tickets/{reference}"),
    }
    problems = []
    with signed_in(browser, site, locale=locale) as people:
        for role, urls in paths.items():
            page = people[role].page
            for path in urls:
                for width in (390, 1280):
                    page.set_viewport_size({"width": width, "height": 800})
                    page.goto(site.base + path, wait_until="load")
                    assert SUBJECTS[locale][:40] in page.locator("main").inner_text(), path
                    scroll, client = page.evaluate(
                        "() => [document.documentElement.scrollWidth,"
                        " document.documentElement.clientWidth]"
                    )
                    if scroll > client:
                        problems.append(f"{role} {path} at {width}px: {scroll} > {client}")
    assert not problems, "\n".join(problems)
