"""Escalation up the tiers goes to a team of the next tier (per the team records) and one of its
agents, round robin or least loaded, skipping away and inactive agents; the history says each
step and the agent who got the ticket is told by mail (outbox). Both doors: an agent's
escalation and the service-level job's escalation at breach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from portal.accounts.mail_preferences import KINDS, set_mail_choices
from portal.accounts.models import User, UserInfo
from portal.accounts.teams import create_team, set_away
from portal.config import TicketSettings
from portal.notify.outbox import OutboxMessage
from portal.tickets.assignment import assign_ticket, escalate_ticket
from portal.tickets.models import Ticket, TicketHistory
from portal.tickets.service_levels import run_sla
from tests.support.accounts import MakeUser, Run
from tests.support.tickets import MakeTicket

RIYADH = dt.timezone(dt.timedelta(hours=3))
# 48 working hours after the fixtures' now (Mon 23 Nov 2026 12:00 Riyadh), 10:00–16:00 daily.
DUE = dt.datetime(2026, 12, 1, 12, tzinfo=RIYADH)


@dataclass(frozen=True)
class Desk:
    admin: UserInfo
    first: UserInfo  # tier 1, support
    away: UserInfo  # tier 2, network-l2, away
    salma: UserInfo  # tier 2, network-l2, writes in Arabic
    omar: UserInfo  # tier 2, network-l2
    gone: UserInfo  # tier 2, network-l2, deactivated


@pytest.fixture
def desk(run: Run, make_user: MakeUser) -> Desk:
    admin = make_user("admin", name="Huda Admin")
    run(create_team, admin, key="support", name_ar="فريق الدعم", name_en="Support team")
    run(
        create_team,
        admin,
        key="network-l2",
        name_ar="الشبكات، المستوى الثاني",
        name_en="Network, tier 2",
        tier=2,
    )
    # A tier-3 team sorts after network-l2 and is never chosen for tier 2.
    run(create_team, admin, key="experts", name_ar="الخبراء", name_en="Experts", tier=3)
    first = make_user("agent", name="Adel Agent", tier=1, teams=("support",))
    l2 = ("network-l2",)
    away = make_user("agent", name="Away Agent", tier=2, teams=l2)
    salma = make_user("agent", name="Salma", tier=2, teams=l2, lang="ar")
    omar = make_user("agent", name="Omar", tier=2, teams=l2)
    gone = make_user("agent", name="Gone Agent", tier=2, teams=l2)
    run(set_away, admin, away.id, True)

    def deactivate(session):  # type: ignore[no-untyped-def]
        user = session.get(User, gone.id)
        user.active = False

    run(deactivate)
    return Desk(admin, first, away, salma, omar, gone)


def _row(run: Run, reference: str) -> tuple[str, int, int | None]:
    def load(session):  # type: ignore[no-untyped-def]
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
        return ticket.team, ticket.tier, ticket.assignee_id

    return run(load)  # type: ignore[no-any-return]


def _history(run: Run, reference: str) -> list[tuple[str, str, str | None, str | None, str]]:
    def load(session):  # type: ignore[no-untyped-def]
        ticket = session.scalar(select(Ticket).where(Ticket.reference == reference))
        rows = session.scalars(
            select(TicketHistory)
            .where(TicketHistory.ticket_id == ticket.id, TicketHistory.action != "opened")
            .order_by(TicketHistory.id)
        )
        return [(h.action, h.field, h.old_value, h.new_value, h.actor_name) for h in rows]

    return run(load)  # type: ignore[no-any-return]


def _mails(run: Run) -> list[tuple[str, str, str]]:
    """The mails queued to staff (the requester's "we received your request" left out)."""
    return run(  # type: ignore[no-any-return]
        lambda s: [
            (m.to_address, m.subject, m.text_body)
            for m in s.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            if not m.to_address.startswith("requester")
        ]
    )


def test_an_agents_escalation_goes_to_the_next_tiers_team_and_its_next_agent(
    run: Run,
    desk: Desk,
    make_ticket: MakeTicket,
    ticket_settings: TicketSettings,
    now: dt.datetime,
) -> None:
    one, two = make_ticket(subject="VPN server refuses"), make_ticket(subject="Proxy loops")
    run(assign_ticket, desk.first, one.reference, assignee_id=desk.first.id, now=now)
    info = run(
        escalate_ticket,
        desk.first,
        one.reference,
        reason="Needs the VPN server",
        now=now,
        settings=ticket_settings,
    )
    # Round robin among active, present tier-2 agents of the team: Salma, then Omar.
    assert (info.team, info.tier, info.assignee_id) == ("network-l2", 2, desk.salma.id)
    assert _history(run, one.reference)[-3:] == [
        ("escalate", "tier", "1", "2", "Adel Agent"),
        ("escalate", "team", "support", "network-l2", "Adel Agent"),
        ("assign", "assignee", "Adel Agent", "Salma", "Adel Agent"),
    ]
    run(escalate_ticket, desk.first, two.reference, reason="Loops", now=now)
    assert _row(run, two.reference) == ("network-l2", 2, desk.omar.id)

    mails = _mails(run)
    assert [to for to, _s, _b in mails] == [desk.salma.email, desk.omar.email]
    _to, subject, body = mails[0]
    assert subject == f"[{one.reference}] صُعِّدت إليك (المستوى 2): VPN server refuses"
    assert "(الشبكات، المستوى الثاني) وأُسندت إليك" in body
    assert "السبب: Needs the VPN server" in body
    assert f"/agent/tickets/{one.reference}" in body
    assert mails[1][1] == f"[{two.reference}] Escalated to you (tier 2): Proxy loops"
    assert "escalated to tier 2 (Network, tier 2) and given to you" in mails[1][2]


def test_from_tier_two_the_ticket_goes_to_the_tier_three_team(
    run: Run, desk: Desk, make_user: MakeUser, make_ticket: MakeTicket, now: dt.datetime
) -> None:
    expert = make_user("agent", name="Expert", tier=3, teams=("experts",))
    ticket = make_ticket()
    run(escalate_ticket, desk.first, ticket.reference, reason="Network", now=now)
    run(escalate_ticket, desk.salma, ticket.reference, reason="Vendor bug", now=now)
    assert _row(run, ticket.reference) == ("experts", 3, expert.id)
    assert ("escalate", "team", "network-l2", "experts", "Salma") in _history(run, ticket.reference)


def test_nobody_available_leaves_it_unassigned_in_the_teams_queue(
    run: Run, desk: Desk, make_ticket: MakeTicket, now: dt.datetime
) -> None:
    for agent in (desk.salma, desk.omar):
        run(set_away, desk.admin, agent.id, True)
    ticket = make_ticket()
    run(assign_ticket, desk.first, ticket.reference, assignee_id=desk.first.id, now=now)
    run(escalate_ticket, desk.first, ticket.reference, reason="Network", now=now)
    assert _row(run, ticket.reference) == ("network-l2", 2, None)
    assert _history(run, ticket.reference)[-1] == (
        "assign",
        "assignee",
        "Adel Agent",
        None,
        "Adel Agent",
    )
    assert _mails(run) == []


def test_an_agent_who_turned_the_mail_off_gets_the_ticket_but_no_mail(
    run: Run, desk: Desk, make_ticket: MakeTicket, now: dt.datetime
) -> None:
    run(set_mail_choices, desk.salma, [k for k in KINDS if k != "ticket_assigned"])
    ticket = make_ticket()
    run(escalate_ticket, desk.first, ticket.reference, reason="Network", now=now)
    assert _row(run, ticket.reference)[2] == desk.salma.id
    assert _mails(run) == []


def test_the_sla_job_escalates_at_breach_to_the_next_tiers_team_once(
    run: Run,
    desk: Desk,
    make_ticket: MakeTicket,
    ticket_settings: TicketSettings,
    now: dt.datetime,
) -> None:
    ticket = make_ticket(subject="Nobody answered")
    run(assign_ticket, desk.first, ticket.reference, assignee_id=desk.first.id, now=now)
    summary = run(run_sla, DUE, ticket_settings)
    assert (summary.breaches, summary.escalations) == (1, 1)
    assert _row(run, ticket.reference) == ("network-l2", 2, desk.salma.id)
    assert _history(run, ticket.reference)[-3:] == [
        ("escalate", "tier", "1", "2", "sla"),
        ("escalate", "team", "support", "network-l2", "sla"),
        ("assign", "assignee", "Adel Agent", "Salma", "sla"),
    ]
    mails = _mails(run)
    by_address = {to: subject for to, subject, _b in mails}
    # Salma has the ticket: her own mail, once; Omar (same team and tier) the breach mail,
    # which names the team; the away and deactivated agents nothing.
    assert by_address[desk.salma.email].startswith(f"[{ticket.reference}] صُعِّدت إليك")
    assert [to for to, _s, _b in mails].count(desk.salma.email) == 1
    omar = next(body for to, _s, body in mails if to == desk.omar.email)
    assert "It now waits at tier 2, with Network, tier 2;" in omar
    assert desk.away.email not in by_address
    assert desk.gone.email not in by_address
    assert summary.mails == len(mails)

    again = run(run_sla, DUE + dt.timedelta(days=1), ticket_settings)
    assert (again.breaches, again.escalations, again.mails) == (0, 0, 0)
    assert len(_mails(run)) == len(mails)
    assert _row(run, ticket.reference) == ("network-l2", 2, desk.salma.id)


def test_a_breach_at_the_top_tier_stays_there_and_tells_the_help_desk_managers(
    run: Run,
    desk: Desk,
    make_user: MakeUser,
    make_ticket: MakeTicket,
    ticket_settings: TicketSettings,
    now: dt.datetime,
) -> None:
    expert = make_user("agent", name="Expert", tier=3, teams=("experts",))
    top, low = make_ticket(subject="Vendor bug"), make_ticket(subject="Printer")
    run(escalate_ticket, desk.first, top.reference, reason="Network", now=now)
    run(escalate_ticket, desk.salma, top.reference, reason="Vendor bug", now=now)
    assert _row(run, top.reference) == ("experts", 3, expert.id)
    before = len(_mails(run))

    summary = run(run_sla, DUE, ticket_settings)
    # Both breach; only the tier-1 ticket can move up a tier.
    assert (summary.breaches, summary.escalations) == (2, 1)
    assert _row(run, top.reference) == ("experts", 3, expert.id)
    assert _row(run, low.reference)[1] == 2
    breach_mails = _mails(run)[before:]
    about_top = [to for to, subject, _b in breach_mails if top.reference in subject]
    about_low = [to for to, subject, _b in breach_mails if low.reference in subject]
    # Above tier 3 there is nobody to escalate to: the managers (admins) are told, with the
    # assignee; a breach that could still move up a tier does not reach the managers.
    assert sorted(about_top) == sorted([expert.email, desk.admin.email])
    assert desk.admin.email not in about_low

    again = run(run_sla, DUE + dt.timedelta(days=1), ticket_settings)
    assert (again.breaches, again.escalations, again.mails) == (0, 0, 0)
