"""The next-response target: after the first response, each requester message that awaits an
answer (and a reopen) starts a deadline on the calendar; it pauses like the others, is warned
at the share, breached and escalated by the job once, and met by an agent's public reply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, update

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.notify.outbox import OutboxMessage
from portal.tickets.assignment import assign_ticket, change_status
from portal.tickets.conversation import add_reply, add_visitor_reply
from portal.tickets.errors import ValidationError
from portal.tickets.models import Ticket, TicketHistory
from portal.tickets.resolution import reopen_ticket, resolve_ticket
from portal.tickets.root_causes import RootCause
from portal.tickets.service_levels import run_sla
from portal.tickets.sla_models import SlaEvent, SlaPolicy
from portal.tickets.values import ticket_info
from portal.web.api.tickets import sla_json
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

RIYADH = dt.timezone(dt.timedelta(hours=3))


def riyadh(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=RIYADH)


def _row(run: Run, reference: str) -> Ticket:
    def load(session):  # type: ignore[no-untyped-def]
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
        list(ticket.sla_events)
        session.expunge_all()
        return ticket

    return run(load)


def _count(run: Run, model: type) -> int:
    return run(lambda s: s.scalar(select(func.count()).select_from(model)))


@pytest.fixture
def answered(
    run: Run,
    make_ticket: MakeTicket,
    agent: UserInfo,
    ticket_settings: TicketSettings,
    now: dt.datetime,
) -> str:
    """A ticket under a policy promising the next response within 2 working hours, assigned
    to the agent and answered by them on 24 Nov 11:00 (Riyadh)."""
    run(lambda s: s.execute(update(SlaPolicy).values(next_response_minutes=120)))
    ticket = make_ticket()
    run(assign_ticket, agent, ticket.reference, assignee_id=agent.id, now=now)
    run(add_reply, ticket_settings, agent, ticket.reference, body="Try this", now=riyadh(24, 11))
    return ticket.reference


@pytest.fixture
def tier2(make_user: Callable[..., UserInfo]) -> UserInfo:
    return make_user("agent", name="Tariq Tier2", tier=2, teams=("support",))


def test_no_deadline_until_the_requester_writes_after_the_first_response(run: Run, answered: str):
    row = _row(run, answered)
    assert row.next_response_due is None
    assert sla_json(ticket_info(row).sla)["next_response_due"] is None


def test_a_requester_message_starts_the_deadline_and_an_agent_reply_meets_it(
    run: Run, answered: str, requester: UserInfo, agent: UserInfo, ticket_settings
):
    run(add_reply, ticket_settings, requester, answered, body="Still drops", now=riyadh(24, 12))
    row = _row(run, answered)
    assert row.next_response_due == riyadh(24, 14)
    assert row.next_response_warn_at == riyadh(24, 13, 30)
    shown = sla_json(ticket_info(row).sla)
    assert dt.datetime.fromisoformat(shown["next_response_due"]) == riyadh(24, 14)
    assert {"policy", "first_response_due", "resolution_due", "state", "breaches"} <= set(shown)
    # A second message while the first waits does not move the deadline.
    run(add_reply, ticket_settings, requester, answered, body="And now", now=riyadh(24, 12, 30))
    assert _row(run, answered).next_response_due == riyadh(24, 14)
    # An internal note is no answer; a public reply is.
    run(add_reply, ticket_settings, agent, answered, body="hm", internal=True, now=riyadh(24, 13))
    assert _row(run, answered).next_response_due == riyadh(24, 14)
    run(add_reply, ticket_settings, agent, answered, body="Fixed?", now=riyadh(24, 13, 10))
    assert _row(run, answered).next_response_due is None
    summary = run(run_sla, riyadh(25, 12), ticket_settings)
    assert (summary.warnings, summary.breaches) == (0, 0)


def test_the_deadline_counts_working_hours_and_pauses_extend_it_exactly(
    run: Run, answered: str, requester: UserInfo, agent: UserInfo, ticket_settings
):
    # 15:00: one working hour today (to 16:00), one tomorrow from 10:00.
    run(add_reply, ticket_settings, requester, answered, body="Again", now=riyadh(24, 15))
    assert _row(run, answered).next_response_due == riyadh(25, 11)
    # Pending from 15:30 to 10:30 the next day: 30 + 30 working minutes paused.
    run(change_status, agent, answered, status="pending", now=riyadh(24, 15, 30))
    run(change_status, agent, answered, status="open", now=riyadh(25, 10, 30))
    assert _row(run, answered).next_response_due == riyadh(25, 12)


def test_warning_then_breach_escalates_once_and_needs_a_root_cause(
    run: Run,
    answered: str,
    requester: UserInfo,
    agent: UserInfo,
    tier2: UserInfo,
    ticket_settings: TicketSettings,
):
    run(add_reply, ticket_settings, requester, answered, body="Still drops", now=riyadh(24, 12))
    assert run(run_sla, riyadh(24, 13, 29), ticket_settings).warnings == 0
    warned = run(run_sla, riyadh(24, 13, 30), ticket_settings)
    assert (warned.warnings, warned.breaches) == (1, 0)
    to = run(lambda s: [m.to_address for m in s.scalars(select(OutboxMessage))])
    assert agent.email in to
    assert tier2.email not in to

    breached = run(run_sla, riyadh(24, 14), ticket_settings)
    assert (breached.breaches, breached.escalations) == (1, 1)
    row = _row(run, answered)
    assert (row.tier, row.assignee_id) == (2, None)
    info = ticket_info(row).sla
    assert info.state == "breached"
    assert [(b.target, b.due_at) for b in info.breaches] == [("next_response", riyadh(24, 14))]
    to = run(lambda s: [m.to_address for m in s.scalars(select(OutboxMessage))])
    assert tier2.email in to
    mails, history = _count(run, OutboxMessage), _count(run, TicketHistory)
    again = run(run_sla, riyadh(25, 15), ticket_settings)
    assert (again.warnings, again.breaches, again.mails) == (0, 0, 0)
    assert (_count(run, OutboxMessage), _count(run, TicketHistory)) == (mails, history)
    assert _count(run, SlaEvent) == 2

    with pytest.raises(ValidationError) as refused:
        run(resolve_ticket, ticket_settings, agent, answered, note="Fixed", now=riyadh(25, 15))
    assert refused.value.field == "root_cause"
    cause = RootCause(note="Nobody on shift", code="staffing")
    done = run(
        resolve_ticket,
        ticket_settings,
        agent,
        answered,
        note="Fixed",
        now=riyadh(25, 15),
        root_cause=cause,
    )
    assert done.ticket.status == "resolved"


def test_a_reopen_awaits_an_answer(
    run: Run, answered: str, requester: UserInfo, agent: UserInfo, ticket_settings
):
    run(resolve_ticket, ticket_settings, agent, answered, note="Fixed", now=riyadh(24, 12))
    assert _row(run, answered).next_response_due is None
    run(
        reopen_ticket,
        ticket_settings,
        requester,
        answered,
        reason="It came back",
        now=riyadh(24, 13),
    )
    assert _row(run, answered).next_response_due == riyadh(24, 15)


def test_a_reply_without_an_account_starts_the_deadline_too(run: Run, answered: str) -> None:
    """A visitor's private link and mail from the ticket's address both reply this way."""

    def reply(session) -> None:  # type: ignore[no-untyped-def]
        ticket = session.scalar(select(Ticket).where(Ticket.reference == answered))
        add_visitor_reply(session, ticket, "Sara", "Still failing.", riyadh(24, 12))

    run(reply)
    row = _row(run, answered)
    assert row.awaiting_since is not None
    assert row.next_response_due == riyadh(24, 14)  # 2 working hours later, same day


def test_a_reopen_through_a_visitors_link_awaits_an_answer_too(
    run: Run, agent: UserInfo, ticket_settings: TicketSettings, now: dt.datetime
) -> None:
    """The private link and the account reopen the same way: the next-response clock starts."""
    from portal.tickets.intake import open_ticket
    from portal.tickets.values import TicketDraft
    from portal.tickets.visitor_links import visitor_reopen

    run(lambda s: s.execute(update(SlaPolicy).values(next_response_minutes=120)))
    opened = run(
        open_ticket,
        ticket_settings,
        requester=None,
        draft=TicketDraft(
            subject="Cannot print",
            body="Since Sunday.",
            visitor_name="Salma",
            visitor_email="salma@example.com",
        ),
        now=now,
    )
    reference = opened.ticket.reference
    assert opened.visitor_link is not None
    token = opened.visitor_link.rsplit("/", 1)[1]
    run(assign_ticket, agent, reference, assignee_id=agent.id, now=now)
    run(add_reply, ticket_settings, agent, reference, body="Try this", now=riyadh(24, 11))
    run(resolve_ticket, ticket_settings, agent, reference, note="Fixed", now=riyadh(24, 12))
    assert _row(run, reference).next_response_due is None
    run(visitor_reopen, ticket_settings, token, reason="It came back", now=riyadh(24, 13))
    row = _row(run, reference)
    assert row.status == "open"
    assert row.awaiting_since is not None
    assert row.next_response_due == riyadh(24, 15)
