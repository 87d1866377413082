"""The agent queue, "my tickets", the API list and suggestions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.search.models import ArticleEntry, Hit, IndexUnavailable, SearchQuery, SearchResults
from portal.tickets.assignment import claim_ticket, escalate_ticket
from portal.tickets.errors import TicketForbidden, ValidationError
from portal.tickets.queue import (
    list_my_tickets,
    list_queue,
    list_tickets,
    requester_other_tickets,
    suggest_articles,
)
from portal.tickets.resolution import resolve_ticket
from portal.tickets.values import QueueFilter
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

MakeUser = Callable[..., UserInfo]
HOUR = dt.timedelta(hours=1)


def refs(page: object) -> list[str]:
    return [t.subject for t in page.tickets]  # type: ignore[attr-defined]


def test_the_queue_puts_urgent_first_then_oldest(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, now: dt.datetime
) -> None:
    make_ticket("old normal", priority="normal", by=agent, at=now)
    make_ticket("new urgent", priority="urgent", by=agent, at=now + 2 * HOUR)
    make_ticket("old urgent", priority="urgent", by=agent, at=now + HOUR)
    make_ticket("low", priority="low", by=agent, at=now)
    make_ticket("high", priority="high", by=agent, at=now + 3 * HOUR)
    page = run(list_queue, agent, QueueFilter())
    assert refs(page) == ["old urgent", "new urgent", "high", "old normal", "low"]


def test_queue_filters(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    make_user: MakeUser,
    now: dt.datetime,
) -> None:
    printer = make_ticket("Printer jam", body="Tray 2", category="devices")
    vpn = make_ticket(
        "VPN", body="Drops 100% of the time", category="network", priority="high", by=agent
    )
    mail = make_ticket("Mailbox full", body="Quota")
    run(claim_ticket, agent, vpn.reference, now=now)
    run(escalate_ticket, agent, mail.reference, reason="Quota needs tier 2", now=now)
    run(resolve_ticket, ticket_settings, agent, printer.reference, note="Cleared", now=now)

    def subjects(**filters: object) -> list[str]:
        return sorted(refs(run(list_queue, agent, QueueFilter(**filters))))  # type: ignore[arg-type]

    assert subjects() == ["Mailbox full", "VPN"]
    assert subjects(status=("resolved",)) == ["Printer jam"]
    assert subjects(status=()) == ["Mailbox full", "Printer jam", "VPN"]
    assert subjects(priority="high") == ["VPN"]
    assert subjects(tier=2) == ["Mailbox full"]
    assert subjects(assignee_id=agent.id) == ["VPN"]
    assert subjects(assignee_id=0) == ["Mailbox full"]
    assert subjects(category="network") == ["VPN"]
    assert subjects(text="tray", status=()) == ["Printer jam"]
    assert subjects(text="100%") == ["VPN"]
    assert subjects(text="_") == []
    assert subjects(text=vpn.reference.lower()) == ["VPN"]
    assert subjects(team="network") == []
    page = run(list_queue, agent, QueueFilter(status=(), per_page=2, page=2))
    assert (page.total, page.pages, len(page.tickets)) == (3, 2, 1)
    with pytest.raises(ValidationError) as caught:
        run(list_queue, agent, QueueFilter(status=("done",)))
    assert caught.value.field == "status"
    other_team = make_user("agent", teams=("network",))
    assert run(list_queue, other_team, QueueFilter(status=())).total == 0


def test_requesters_have_no_queue_but_their_own_list(
    run: Run,
    make_ticket: MakeTicket,
    make_user: MakeUser,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    make_ticket("First", at=now)
    make_ticket("Second", at=now + HOUR)
    make_ticket("Someone else's", by=make_user())
    with pytest.raises(TicketForbidden):
        run(list_queue, requester, QueueFilter())
    assert refs(run(list_my_tickets, requester)) == ["Second", "First"]
    assert refs(run(list_tickets, requester, status="new")) == ["Second", "First"]
    assert run(list_tickets, requester, status="closed").total == 0
    assert run(list_tickets, agent).total == 3
    assert run(list_tickets, agent, mine=True).total == 0


def test_agents_see_the_requesters_other_tickets(
    run: Run,
    make_ticket: MakeTicket,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    first = make_ticket("First", at=now)
    make_ticket("Second", at=now + HOUR)
    make_ticket("Not theirs", by=make_user())
    assert [t.subject for t in run(requester_other_tickets, agent, first.reference)] == ["Second"]
    with pytest.raises(TicketForbidden):
        run(requester_other_tickets, requester, first.reference)


class FixedSearch:
    """A stand-in index with two known articles; records what it was asked."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.queries: list[SearchQuery] = []

    def search(self, query: SearchQuery) -> SearchResults:
        self.queries.append(query)
        if self.fail:
            raise IndexUnavailable("index is being rebuilt")
        entries = [
            ArticleEntry(
                id=i,
                lang="en",
                title=i,
                path=f"network/{i}.en.md",
                category="network",
                kind="howto",
            )
            for i in ("vpn-setup", "vpn")
        ]
        hits = tuple(Hit(entry=e, snippet="", score=1.0) for e in entries)
        return SearchResults(query=query.text, total=2, page=1, per_page=query.per_page, hits=hits)


def test_suggestions_search_subject_and_body_and_survive_a_broken_index() -> None:
    search = FixedSearch()
    found = suggest_articles(
        search,
        subject="VPN drops",
        body="every\nhour " + "x" * 500,
        lang="en",
        limit=1,
        visibility="internal",
    )
    assert [e.id for e in found] == ["vpn-setup"]
    [query] = search.queries
    assert query.text.startswith("VPN drops every hour x")
    assert (query.lang, query.per_page, query.visibility) == ("en", 1, "internal")
    assert suggest_articles(FixedSearch(fail=True), subject="VPN") == ()
    assert suggest_articles(search, subject="  ") == ()
