"""Who sees which ticket, and which messages of it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.access import get_ticket_for
from portal.tickets.conversation import add_reply, get_ticket_detail, list_messages
from portal.tickets.errors import TicketForbidden, TicketNotFound
from portal.tickets.intake import open_ticket
from portal.tickets.queue import requester_other_tickets
from portal.tickets.values import TicketDraft
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

MakeUser = Callable[..., UserInfo]


def test_requesters_see_their_own_agents_their_teams_admins_all(
    run: Run, make_ticket: MakeTicket, make_user: MakeUser, requester: UserInfo, agent: UserInfo
) -> None:
    ticket = make_ticket()
    other_requester = make_user()
    other_team_agent = make_user("agent", teams=("network",))
    admin = make_user("admin")
    for viewer in (requester, agent, admin):
        assert run(get_ticket_for, viewer, ticket.reference.lower()).id == ticket.id
    for viewer in (other_requester, other_team_agent, None):
        with pytest.raises(TicketNotFound):
            run(get_ticket_for, viewer, ticket.reference)
    for viewer in (requester, admin):
        with pytest.raises(TicketNotFound) as missing:
            run(get_ticket_for, viewer, "HD-999999")
        assert type(missing.value) is TicketNotFound


def test_internal_notes_are_never_shown_to_requesters(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    run(
        add_reply,
        ticket_settings,
        agent,
        ticket.reference,
        body="Their VPN client is old.",
        internal=True,
        now=now,
    )
    run(
        add_reply,
        ticket_settings,
        agent,
        ticket.reference,
        body="Please update the client.",
        now=now + dt.timedelta(minutes=1),
    )
    staff_view = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now)
    requester_view = run(get_ticket_detail, ticket_settings, requester, ticket.reference, now=now)
    assert [m.internal for m in staff_view.messages] == [True, False]
    assert [m.body for m in requester_view.messages] == ["Please update the client."]
    assert [m.body for m in run(list_messages, requester, ticket.reference)] == [
        "Please update the client."
    ]
    assert requester_view.history == ()
    assert "opened" in [h.action for h in staff_view.history]
    with pytest.raises(TicketForbidden):
        run(
            add_reply,
            ticket_settings,
            requester,
            ticket.reference,
            body="sneaky",
            internal=True,
            now=now,
        )


def test_an_agent_keeps_a_ticket_assigned_to_them_in_another_team(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    make_user: MakeUser,
    now: dt.datetime,
) -> None:
    from portal.tickets.assignment import assign_ticket

    ticket = make_ticket()
    both = make_user("agent", teams=("support", "network"))
    admin = make_user("admin")
    run(assign_ticket, admin, ticket.reference, assignee_id=both.id, now=now)
    from portal.accounts.services import set_roles
    from portal.config import AccountSettings

    moved = run(set_roles, AccountSettings(), both.id, roles=["agent"], tier=1, teams=["network"])
    assert run(get_ticket_for, moved, ticket.reference).assignee_id == both.id


def test_the_detail_offers_only_the_viewers_actions(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    mine = run(get_ticket_detail, ticket_settings, requester, ticket.reference, now=now).actions
    staff = run(get_ticket_detail, ticket_settings, agent, ticket.reference, now=now).actions
    assert mine == {"reply", "attach"}
    assert {"claim", "escalate", "resolve", "note", "reply"} <= staff
    assert "rate" not in staff


def test_other_tickets_panel_shows_only_tickets_the_agent_may_open(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    requester: UserInfo,
    make_user: MakeUser,
    now: dt.datetime,
) -> None:
    """An IT agent must not read the subjects of the same person's HR tickets."""
    settings = dataclasses.replace(ticket_settings, category_teams={"payroll": "hr"})
    hr_ticket = run(
        open_ticket,
        settings,
        requester=requester,
        draft=TicketDraft(subject="My salary was cut", body="Private", category="payroll"),
        now=now,
    ).ticket
    support_ticket = make_ticket("VPN again")
    current = make_ticket("VPN drops")
    others = run(requester_other_tickets, agent, current.reference)
    assert [t.reference for t in others] == [support_ticket.reference]
    admin = make_user("admin")
    seen = run(requester_other_tickets, admin, current.reference)
    assert {t.reference for t in seen} == {support_ticket.reference, hr_ticket.reference}
