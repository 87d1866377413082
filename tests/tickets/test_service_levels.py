"""Service levels on tickets: deadlines on open, the paused clock, the warning and escalation
job (twice, nothing doubles) and the root cause a breached ticket needs to be resolved."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.mail_preferences import set_mail_choices
from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.db import make_session_factory, transaction
from portal.notify.outbox import OutboxMessage
from portal.tickets.assignment import assign_ticket, change_status, update_ticket
from portal.tickets.errors import ValidationError
from portal.tickets.intake import open_ticket
from portal.tickets.models import Ticket
from portal.tickets.resolution import resolve_ticket
from portal.tickets.root_causes import RootCause
from portal.tickets.service_levels import run_sla
from portal.tickets.sla_models import SlaEvent, SlaPolicy
from portal.tickets.values import TicketChanges, TicketDraft, sla_info
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

RIYADH = dt.timezone(dt.timedelta(hours=3))


def riyadh(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=RIYADH)


# The fixture's now: Monday 23 Nov 2026, 12:00 in Riyadh. 48 working hours of 10:00–16:00
# every day: 4 h today, 7 full days (42 h), 2 h on 1 Dec → 1 Dec 12:00. The 75 % warning
# (36 h): 4 h, 5 days, 2 h → 29 Nov 12:00.
DUE = riyadh(1, 12, month=12)
WARN = riyadh(29, 12)


def _ticket(run: Run, reference: str) -> Ticket:
    def load(session):  # type: ignore[no-untyped-def]
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
        session.expunge(ticket)
        return ticket

    return run(load)


def _mails(run: Run) -> list[str]:
    return run(
        lambda s: [
            m.to_address for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]
    )


def test_opening_sets_the_48_working_hour_first_response_deadline(
    run: Run, make_ticket: MakeTicket, now: dt.datetime
):
    ticket = make_ticket()
    assert ticket.first_response_due == DUE
    assert ticket.sla.policy == "default"
    assert sla_info(_ticket_with_events(run, ticket.reference), now).state == "ok"
    assert ticket.resolution_due is None  # the default policy promises an answer, not a fix


def test_pending_pauses_the_clock_and_the_deadline_moves_by_the_working_time_paused(
    run: Run, make_ticket: MakeTicket, agent: UserInfo
):
    ticket = make_ticket()
    run(change_status, agent, ticket.reference, status="pending", now=riyadh(24, 12))
    paused = _ticket(run, ticket.reference)
    assert sla_info(paused, riyadh(25, 9)).state == "paused"
    # Back at 25 Nov 12:00: a whole working day (6 h) was paused, so the deadline is a day on.
    run(change_status, agent, ticket.reference, status="open", now=riyadh(25, 12))
    resumed = _ticket(run, ticket.reference)
    assert resumed.first_response_due == riyadh(2, 12, month=12)
    assert resumed.first_response_warn_at == riyadh(30, 12)
    # Paused at night (no working time) moves nothing.
    run(change_status, agent, ticket.reference, status="on_hold", now=riyadh(25, 17))
    run(change_status, agent, ticket.reference, status="open", now=riyadh(26, 9))
    assert _ticket(run, ticket.reference).first_response_due == riyadh(2, 12, month=12)


def test_a_priority_with_its_own_policy_gets_its_own_deadline(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, now: dt.datetime
):
    run(
        lambda s: s.add(
            SlaPolicy(
                name="urgent",
                priority="urgent",
                first_response_minutes=120,
                resolution_minutes=12 * 60,
                active=True,
            )
        )
    )
    ticket = make_ticket()
    changed = run(update_ticket, agent, ticket.reference, TicketChanges(priority="urgent"), now=now)
    assert changed.sla.policy == "urgent"
    assert changed.first_response_due == riyadh(23, 14)
    # 12 h: 4 today, 6 tomorrow, 2 on the 25th.
    assert changed.resolution_due == riyadh(25, 12)
    opened_urgent = make_ticket(priority="urgent", by=agent)  # staff may state a priority
    assert opened_urgent.first_response_due == riyadh(23, 14)


@pytest.fixture
def tier2(make_user: Callable[..., UserInfo]) -> UserInfo:
    return make_user("agent", name="Tariq Tier2", tier=2, teams=("support",))


def test_warning_then_escalation_each_once(
    run: Run,
    make_ticket: MakeTicket,
    agent: UserInfo,
    tier2: UserInfo,
    ticket_settings: TicketSettings,
    now: dt.datetime,
):
    ticket = make_ticket()
    run(assign_ticket, agent, ticket.reference, assignee_id=agent.id, now=now)
    before = run(run_sla, WARN - dt.timedelta(minutes=1), ticket_settings)
    assert (before.warnings, before.breaches) == (0, 0)

    warned = run(run_sla, WARN, ticket_settings)
    assert (warned.warnings, warned.breaches) == (1, 0)
    assert agent.email in _mails(run)
    assert tier2.email not in _mails(run)
    again = run(run_sla, WARN + dt.timedelta(hours=1), ticket_settings)
    assert (again.warnings, again.breaches, again.mails) == (0, 0, 0)
    assert sla_info(_ticket_with_events(run, ticket.reference), WARN).state == "warning"

    breached = run(run_sla, DUE, ticket_settings)
    assert (breached.breaches, breached.escalations) == (1, 1)
    row = _ticket_with_events(run, ticket.reference)
    assert row.tier == 2
    assert row.assignee_id is None
    assert tier2.email in _mails(run)
    info = sla_info(row, DUE)
    assert info.state == "breached"
    assert [(b.target, b.due_at, b.tier_before, b.tier_after) for b in info.breaches] == [
        ("first_response", DUE, 1, 2)
    ]
    mails = len(_mails(run))
    twice = run(run_sla, DUE + dt.timedelta(days=1), ticket_settings)
    assert (twice.warnings, twice.breaches, twice.escalations, twice.mails) == (0, 0, 0, 0)
    assert len(_mails(run)) == mails
    assert run(lambda s: s.scalar(select(func.count()).select_from(SlaEvent))) == 2


def test_one_run_over_several_due_tickets_mails_each_agent_who_wants_it_once_per_ticket(
    run: Run,
    make_ticket: MakeTicket,
    agent: UserInfo,
    tier2: UserInfo,
    make_user: Callable[..., UserInfo],
    ticket_settings: TicketSettings,
):
    muted = make_user("agent", name="Mona Muted", tier=1, teams=("support",))
    run(set_mail_choices, muted, ["sla_breach"])  # no warnings for her
    references = [make_ticket().reference for _ in range(3)]
    opened = len(_mails(run))  # the requester's confirmations

    warned = run(run_sla, WARN, ticket_settings)
    assert (warned.checked, warned.warnings, warned.mails) == (3, 3, 3)
    assert sorted(_mails(run)[opened:]) == [agent.email] * 3
    breached = run(run_sla, DUE, ticket_settings)
    assert (breached.breaches, breached.escalations, breached.mails) == (3, 3, 3)
    assert sorted(_mails(run)[opened:]) == [agent.email] * 3 + [tier2.email] * 3
    events = run(lambda s: s.scalars(select(SlaEvent.kind).order_by(SlaEvent.id)).all())
    assert sorted(events) == ["breach"] * 3 + ["warning"] * 3
    assert {_ticket(run, r).tier for r in references} == {2}


def _ticket_with_events(run: Run, reference: str) -> Ticket:
    def load(session):  # type: ignore[no-untyped-def]
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
        list(ticket.sla_events)
        session.expunge_all()
        return ticket

    return run(load)


def test_a_paused_ticket_is_not_warned(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, ticket_settings: TicketSettings
):
    ticket = make_ticket()
    run(change_status, agent, ticket.reference, status="pending", now=riyadh(24, 12))
    summary = run(run_sla, DUE + dt.timedelta(days=3), ticket_settings)
    assert (summary.warnings, summary.breaches) == (0, 0)


def test_a_breached_ticket_needs_a_root_cause_to_be_resolved(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, ticket_settings: TicketSettings
):
    ticket = make_ticket()
    run(run_sla, DUE, ticket_settings)
    late = DUE + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        run(resolve_ticket, ticket_settings, agent, ticket.reference, note="Fixed", now=late)
    assert refused.value.field == "root_cause"
    assert refused.value.code == "root_cause_required"
    with pytest.raises(ValidationError) as unknown:
        run(
            resolve_ticket,
            ticket_settings,
            agent,
            ticket.reference,
            note="Fixed",
            now=late,
            root_cause=RootCause(note="Nobody on shift", code="nonsense"),
        )
    assert unknown.value.field == "root_cause.code"
    result = run(
        resolve_ticket,
        ticket_settings,
        agent,
        ticket.reference,
        note="Fixed",
        now=late,
        root_cause=RootCause(note="Nobody on shift on Friday", code="staffing"),
    )
    assert result.ticket.status == "resolved"
    row = _ticket(run, ticket.reference)
    assert (row.root_cause_code, row.root_cause_note) == ("staffing", "Nobody on shift on Friday")


def test_a_ticket_answered_in_time_resolves_without_a_root_cause(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, ticket_settings: TicketSettings
):
    ticket = make_ticket()
    result = run(
        resolve_ticket, ticket_settings, agent, ticket.reference, note="Fixed", now=riyadh(24, 12)
    )
    assert result.ticket.sla.state == "met"


def test_the_received_mail_says_when_to_expect_an_answer_and_when_work_resumes(
    run: Run, ticket_settings: TicketSettings, requester: UserInfo
):
    # Monday 23 Nov 2026 at 16:30 in Riyadh: after closing, so work resumes the next morning
    # and the 48 working hours end on 1 Dec at 16:00 (8 days of 6 h from Tuesday 10:00).
    result = run(
        open_ticket,
        ticket_settings,
        requester=requester,
        draft=TicketDraft(subject="VPN drops every hour", body="It disconnects at :00."),
        now=dt.datetime(2026, 11, 23, 16, 30, tzinfo=RIYADH),
    )
    [mail] = result.mails
    body = mail.body
    # Written like the pages' dates (portal.dates), in full: weekday, site time zone, Hijri.
    if mail.lang == "en":
        assert "work resumes Tuesday, November 24, 2026, 10:00:00\u202fAM Arabian Standard" in body
        assert "answer by Tuesday, December 1, 2026, 4:00:00\u202fPM Arabian Standard" in body
    else:
        assert "يُستأنف العمل الثلاثاء، 24 نوفمبر 2026، 10:00:00 ص التوقيت العربي الرسمي" in body
        assert "يمكنك أن تتوقع ردًّا قبل الثلاثاء، 1 ديسمبر 2026، 4:00:00 م" in body
        assert "(21 جمادى الآخرة 1448)." in body


def test_category_team_and_channel_narrow_a_policy_and_the_most_specific_wins(
    run: Run, make_ticket: MakeTicket, agent: UserInfo, now: dt.datetime
):
    def add(session):  # type: ignore[no-untyped-def]
        session.add_all(
            [
                SlaPolicy(name="network", category="network", first_response_minutes=240),
                SlaPolicy(
                    name="network-support",
                    category="network",
                    team="support",
                    first_response_minutes=120,
                ),
                SlaPolicy(name="by-mail", channel="email", first_response_minutes=60),
                SlaPolicy(name="other-team", team="billing", first_response_minutes=30),
            ]
        )

    run(add)
    ticket = make_ticket()  # the web form, team support, no category: none of them applies
    assert (ticket.sla.policy, ticket.first_response_due) == ("default", DUE)
    changed = run(
        update_ticket, agent, ticket.reference, TicketChanges(category="network"), now=now
    )
    # Category and team (6) beat category alone (4): 2 working hours from 12:00.
    assert (changed.sla.policy, changed.first_response_due) == ("network-support", riyadh(23, 14))
    back = run(update_ticket, agent, ticket.reference, TicketChanges(category="accounts"), now=now)
    assert (back.sla.policy, back.first_response_due) == ("default", DUE)


def test_a_configured_warning_share_survives_a_priority_change_and_a_pause(
    sessions: sessionmaker[Session],
    ticket_settings: TicketSettings,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    """The application's sessions carry its settings (portal.db.SETTINGS_INFO), so a status
    or priority change deep in the services recomputes with SANAD_SLA_WARNING_SHARE too."""
    half = dataclasses.replace(ticket_settings, sla_warning_share=0.5)
    app_sessions = make_session_factory(
        sessions.kw["bind"], settings=types.SimpleNamespace(tickets=half)
    )

    def run(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with transaction(app_sessions) as session:
            return fn(session, *args, **kwargs)

    draft = TicketDraft(subject="VPN drops every hour", body="It disconnects at :00.")
    reference = run(open_ticket, half, requester=requester, draft=draft, now=now).ticket.reference
    # 24 of the 48 working hours: 4 h on the 23rd, 3 days of 6 h, 2 h on the 27th.
    assert run(_reload, reference).first_response_warn_at == riyadh(27, 12)
    run(update_ticket, agent, reference, TicketChanges(priority="high"), now=now)
    assert run(_reload, reference).first_response_warn_at == riyadh(27, 12)
    run(change_status, agent, reference, status="pending", now=now)
    run(change_status, agent, reference, status="open", now=now)
    assert run(_reload, reference).first_response_warn_at == riyadh(27, 12)


def _reload(session: Session, reference: str) -> Ticket:
    ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
    assert ticket is not None
    session.expunge(ticket)
    return ticket


def test_the_warning_reaches_the_assignee_and_the_teams_agents_of_its_tier(
    run: Run,
    make_ticket: MakeTicket,
    make_user: Callable[..., UserInfo],
    agent: UserInfo,
    tier2: UserInfo,
    ticket_settings: TicketSettings,
    now: dt.datetime,
):
    colleague = make_user("agent", name="Colleague", tier=1, teams=("support",))
    elsewhere = make_user("agent", name="Elsewhere", tier=1, teams=("billing",))
    ticket = make_ticket()
    run(assign_ticket, agent, ticket.reference, assignee_id=agent.id, now=now)
    before = len(_mails(run))
    assert run(run_sla, WARN, ticket_settings).warnings == 1
    warned = _mails(run)[before:]
    assert sorted(warned) == sorted([agent.email, colleague.email])
    assert tier2.email not in warned
    assert elsewhere.email not in warned
