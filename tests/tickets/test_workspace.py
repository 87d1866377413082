"""The agent workspace's services: the queue's column sorts and "my team", saved views (per
agent, names checked), bulk assign/resolve through the single-ticket rules, and who is replying
to a ticket (a database row with a time to live)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.accounts.teams import create_team
from portal.config import TicketSettings
from portal.tickets.access import get_ticket_for
from portal.tickets.assignment import claim_ticket
from portal.tickets.bulk import MAX_BULK, bulk_assign, bulk_resolve
from portal.tickets.errors import (
    InvalidTransition,
    SavedViewNotFound,
    TicketForbidden,
    TicketNotFound,
    ValidationError,
)
from portal.tickets.models import Ticket
from portal.tickets.presence import PRESENCE_TTL, mark_replying, others_replying
from portal.tickets.queue import list_queue
from portal.tickets.resolution import confirm_resolution
from portal.tickets.saved_views import MAX_VIEWS, delete_view, list_saved_views, save_view
from portal.tickets.values import QUEUE_SORT_COLUMNS, QueueFilter
from portal.tickets.workspace_models import TicketPresence
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

MakeUser = Callable[..., UserInfo]
HOUR = dt.timedelta(hours=1)


def subjects(run: Run, viewer: UserInfo, **filters: object) -> list[str]:
    page = run(list_queue, viewer, QueueFilter(**filters))  # type: ignore[arg-type]
    return [t.subject for t in page.tickets]


def test_every_column_sorts_both_ways_and_breaches_first_leaves_no_deadline_last(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, now: dt.datetime
) -> None:
    make_ticket("b normal", priority="normal", by=agent, at=now)
    make_ticket("C urgent", priority="urgent", by=agent, at=now + 2 * HOUR)
    make_ticket("a low", priority="low", by=agent, at=now + HOUR)
    assert subjects(run, agent, sort="subject") == ["a low", "b normal", "C urgent"]
    assert subjects(run, agent, sort="-subject") == ["C urgent", "b normal", "a low"]
    assert subjects(run, agent, sort="-priority") == ["C urgent", "b normal", "a low"]
    assert subjects(run, agent, sort="priority") == ["a low", "b normal", "C urgent"]
    assert subjects(run, agent, sort="opened") == ["b normal", "a low", "C urgent"]
    assert subjects(run, agent, sort="-opened") == ["C urgent", "a low", "b normal"]
    assert subjects(run, agent, sort="reference") == ["b normal", "C urgent", "a low"]
    # Every ticket has a first-response deadline 48 working hours after it was opened.
    assert subjects(run, agent, sort="due") == ["b normal", "a low", "C urgent"]
    assert subjects(run, agent, sort="-due") == ["C urgent", "a low", "b normal"]
    for column in QUEUE_SORT_COLUMNS:  # each is a real ordering, never an error
        for sort in (column, f"-{column}"):
            assert len(subjects(run, agent, sort=sort)) == 3


def test_breaches_first_counts_a_next_response_due_sooner_than_the_resolution(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, now: dt.datetime
) -> None:
    """An answered ticket whose requester wrote back breaches at its next-response deadline,
    not at its far resolution deadline: it comes before a fresh ticket due later."""
    make_ticket("fresh", by=agent, at=now)
    make_ticket("written back", by=agent, at=now - 24 * HOUR)

    def waiting(session: Session) -> None:
        ticket = session.scalar(select(Ticket).where(Ticket.subject == "written back"))
        assert ticket is not None
        ticket.first_response_at = now - 20 * HOUR
        ticket.next_response_due = now + HOUR  # sooner than the fresh one's first response
        ticket.resolution_due = now + 400 * HOUR

    run(waiting)
    assert subjects(run, agent, sort="due") == ["written back", "fresh"]
    assert subjects(run, agent, sort="-due") == ["fresh", "written back"]


def test_my_team_is_the_viewers_teams_only(
    run: Run, make_ticket: MakeTicket, make_user: MakeUser, now: dt.datetime
) -> None:
    admin = make_user("admin", roles=("admin", "agent"), teams=("network",), tier=1)
    make_ticket("support's", by=admin, at=now)
    assert subjects(run, admin) == ["support's"]  # admins see every team
    assert subjects(run, admin, teams=("network",)) == []
    assert subjects(run, admin, teams=("support",)) == ["support's"]


def test_saved_views_belong_to_one_agent_and_names_are_checked(
    run: Run, agent: UserInfo, make_user: MakeUser, requester: UserInfo, now: dt.datetime
) -> None:
    params = {"status": "all", "sort": "opened", "dir": "desc", "evil": "x", "q": "شبكة"}
    view = run(save_view, agent, name="  عاجلة   اليوم ", params=params, now=now)
    assert view.name == "عاجلة اليوم"
    assert dict(view.params) == {"status": "all", "sort": "opened", "dir": "desc", "q": "شبكة"}
    run(save_view, agent, name="Unassigned VPN", params={"q": "vpn"}, now=now)
    assert [v.name for v in run(list_saved_views, agent)] == ["عاجلة اليوم", "Unassigned VPN"]

    with pytest.raises(ValidationError) as duplicate:
        run(save_view, agent, name="unassigned vpn", params={}, now=now)
    assert (duplicate.value.field, duplicate.value.code) == ("name", "duplicate")
    with pytest.raises(ValidationError) as long:
        run(save_view, agent, name="ا" * 81, params={}, now=now)
    assert long.value.code == "too_long"
    with pytest.raises(ValidationError) as empty:
        run(save_view, agent, name="   ", params={}, now=now)
    assert empty.value.code == "required"

    other = make_user("agent", tier=1, teams=("support",))
    assert run(list_saved_views, other) == ()
    run(save_view, other, name="Unassigned VPN", params={}, now=now)  # their own name space
    with pytest.raises(SavedViewNotFound):
        run(delete_view, other, view.id)
    with pytest.raises(TicketForbidden):
        run(save_view, requester, name="mine", params={}, now=now)
    with pytest.raises(TicketForbidden):
        run(list_saved_views, requester)
    assert run(delete_view, agent, view.id) == "عاجلة اليوم"
    assert [v.name for v in run(list_saved_views, agent)] == ["Unassigned VPN"]
    with pytest.raises(SavedViewNotFound):
        run(delete_view, agent, view.id)


def test_an_agent_keeps_a_bounded_number_of_views(
    run: Run, agent: UserInfo, now: dt.datetime
) -> None:
    for number in range(MAX_VIEWS):
        run(save_view, agent, name=f"view {number}", params={}, now=now)
    with pytest.raises(ValidationError) as full:
        run(save_view, agent, name="one more", params={}, now=now)
    assert full.value.code == "too_many"


def test_bulk_assign_changes_each_ticket_it_may_and_names_the_others(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, make_user: MakeUser, now: dt.datetime
) -> None:
    first = make_ticket("First")
    second = make_ticket("Second")
    colleague = make_user("agent", name="Khalid", tier=1, teams=("support",))
    outsider = make_user("agent", name="Nour", tier=1, teams=("network",))
    result = run(
        bulk_assign,
        agent,
        [first.reference, second.reference.lower(), first.reference, "HD-999999"],
        assignee_id=colleague.id,
        now=now,
    )
    assert result.changed == (first.reference, second.reference)
    assert [(r.reference, type(r.error)) for r in result.refused] == [("HD-999999", TicketNotFound)]
    for ticket in (first, second):
        info = run(get_ticket_for, agent, ticket.reference)
        assert (info.assignee_name, info.status) == ("Khalid", "open")
    # An agent outside the team is refused per ticket, by assign_ticket's own rule.
    refused = run(bulk_assign, agent, [first.reference], assignee_id=outsider.id, now=now)
    assert refused.changed == ()
    assert refused.refused[0].error.field == "assignee_id"  # type: ignore[attr-defined]
    assert run(get_ticket_for, agent, first.reference).assignee_name == "Khalid"
    # Back to the team's queue.
    back = run(bulk_assign, agent, [first.reference], assignee_id=None, now=now)
    assert back.changed == (first.reference,)
    assert run(get_ticket_for, agent, first.reference).assignee_id is None
    # Another team's agent cannot touch support's tickets, ticket by ticket.
    theirs = run(bulk_assign, outsider, [second.reference], assignee_id=None, now=now)
    assert theirs.changed == ()
    assert isinstance(theirs.refused[0].error, TicketNotFound)
    with pytest.raises(ValidationError):
        run(bulk_assign, agent, [], assignee_id=None, now=now)
    with pytest.raises(ValidationError) as many:
        run(bulk_assign, agent, [f"HD-{n}" for n in range(MAX_BULK + 1)], assignee_id=None, now=now)
    assert many.value.code == "too_many"


def test_bulk_resolve_refuses_a_breached_ticket_without_a_root_cause(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    late = now + dt.timedelta(days=30)
    breached = make_ticket("Old and late", at=now)
    fresh = make_ticket("Fresh", at=late - HOUR)
    done = make_ticket("Already closed", at=late - HOUR)
    run(bulk_resolve, ticket_settings, agent, [done.reference], note="Fixed", now=late - HOUR)
    run(confirm_resolution, requester, done.reference, now=late - HOUR)
    result = run(
        bulk_resolve,
        ticket_settings,
        agent,
        [breached.reference, fresh.reference, done.reference],
        note="Restarted the VPN gateway.",
        now=late,
    )
    assert result.changed == (fresh.reference,)
    reasons = {r.reference: r.error for r in result.refused}
    assert isinstance(reasons[breached.reference], ValidationError)
    assert reasons[breached.reference].code == "root_cause_required"  # type: ignore[attr-defined]
    assert isinstance(reasons[done.reference], InvalidTransition)
    assert run(get_ticket_for, agent, breached.reference).status == "new"
    resolved = run(get_ticket_for, agent, fresh.reference)
    assert (resolved.status, resolved.resolution_note) == ("resolved", "Restarted the VPN gateway.")
    with pytest.raises(ValidationError) as no_note:
        run(bulk_resolve, ticket_settings, agent, [fresh.reference], note=" ", now=late)
    assert no_note.value.field == "note"


def test_presence_lists_the_other_agents_replying_within_the_ttl(
    run: Run,
    make_ticket: MakeTicket,
    agent: UserInfo,
    make_user: MakeUser,
    requester: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    khalid = make_user("agent", name="خالد", tier=1, teams=("support",))
    run(mark_replying, khalid, ticket.reference, now=now)
    run(mark_replying, khalid, ticket.reference, now=now + dt.timedelta(seconds=15))  # renewed
    run(mark_replying, agent, ticket.reference, now=now)
    assert [r.name for r in run(others_replying, agent, ticket.reference, now=now)] == ["خالد"]
    assert [r.name for r in run(others_replying, khalid, ticket.reference, now=now)] == [
        "Adel Agent"
    ]
    later = now + dt.timedelta(seconds=15) + PRESENCE_TTL
    assert [r.name for r in run(others_replying, agent, ticket.reference, now=later)] == ["خالد"]
    gone = later + dt.timedelta(seconds=1)
    assert run(others_replying, agent, ticket.reference, now=gone) == ()
    # The next mark forgets the expired ones: the table holds only the fresh row.
    run(mark_replying, agent, ticket.reference, now=gone)
    marks = run(lambda session: session.scalars(select(TicketPresence.user_id)).all())
    assert marks == [agent.id]
    run(mark_replying, khalid, ticket.reference, now=gone)
    run(mark_replying, khalid, ticket.reference, now=gone, replying=False)
    assert run(others_replying, agent, ticket.reference, now=gone) == ()
    run(mark_replying, khalid, ticket.reference, now=gone, replying=False)  # twice: harmless
    with pytest.raises(TicketForbidden):
        run(mark_replying, requester, ticket.reference, now=now)
    with pytest.raises(TicketForbidden):
        run(others_replying, requester, ticket.reference, now=now)
    outsider = make_user("agent", tier=1, teams=("network",))
    with pytest.raises(TicketNotFound):
        run(others_replying, outsider, ticket.reference, now=now)


def test_bulk_assign_to_a_team_moves_each_ticket_to_its_queue(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, make_user: MakeUser, now: dt.datetime
) -> None:
    admin = make_user("admin", roles=("admin", "agent"), tier=1, teams=("support",))
    run(create_team, admin, key="network", name_ar="الشبكات", name_en="Network")
    taken, waiting = make_ticket("Taken"), make_ticket("Waiting")
    run(claim_ticket, agent, taken.reference, now=now)
    result = run(
        bulk_assign,
        admin,
        [taken.reference, waiting.reference],
        assignee_id=None,
        team="network",
        now=now,
    )
    assert result.changed == (taken.reference, waiting.reference)
    for reference in (taken.reference, waiting.reference):
        info = run(get_ticket_for, admin, reference)
        assert (info.team, info.assignee_id) == ("network", None)  # Adel is not in network
    # Now another team's: the support agent no longer sees them.
    with pytest.raises(TicketNotFound):
        run(get_ticket_for, agent, taken.reference)
    unknown = run(bulk_assign, admin, [taken.reference], assignee_id=None, team="nope", now=now)
    assert unknown.refused[0].error.field == "team"  # type: ignore[attr-defined]
    same = run(bulk_assign, admin, [taken.reference], assignee_id=None, team="network", now=now)
    assert same.changed == (taken.reference,)
