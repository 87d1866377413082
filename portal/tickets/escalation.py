"""Escalation up the tiers: the ticket goes to a team of the next tier and one of its agents.

Both doors use it: an agent's escalation (``assignment.escalate_ticket``) and the service-level
job's escalation at breach (``service_levels.run_sla``). Per the team records, tier 1 → 2 → 3:

- the team: the ticket's own team if its record is already of the new tier or higher, else the
  first active team of the new tier (by key); with no team of that tier the ticket stays with
  its team and waits, unassigned, at the higher tier (as before teams had tiers);
- the agent: ``pick_assignee`` of that team (round robin or least loaded, skipping away and
  inactive agents, of the team's tier); nobody available leaves it unassigned in the queue;
- the history says each step in a sentence (tier, team, assignee), and the agent who gets the
  ticket is told by mail through the outbox, in their language.

Above tier 3 there is no team: the help-desk managers (admins) are told instead, by the
service-level job's breach mail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.mail_preferences import wants_mail
from portal.accounts.models import Team, User, UserInfo
from portal.accounts.teams import TeamLabels, label, team_labels
from portal.config import TicketSettings
from portal.notify.outbox import enqueue
from portal.tickets.history import record_change
from portal.tickets.models import Ticket
from portal.tickets.sla_mail import escalation_mail
from portal.tickets.team_assignment import pick_assignee

# The mail kind the newly assigned agent may turn off (portal.accounts.mail_preferences).
ASSIGNED_KIND = "ticket_assigned"


@dataclass(frozen=True)
class Escalated:
    """What an escalation changed: the tiers, the teams and who has the ticket now."""

    tier_before: int
    tier: int
    team_before: str
    team: str
    assignee_before: int | None
    assignee_id: int | None


_DIRECTORY = "sanad.escalation.team_tiers"


def _team_tiers(session: Session) -> dict[str, int]:
    """The active teams' tiers, read once per session (a job escalating many tickets in one
    transaction asks for every ticket; teams do not change within it)."""
    tiers: dict[str, int] | None = session.info.get(_DIRECTORY)
    if tiers is None:
        rows = session.execute(select(Team.key, Team.tier).where(Team.active.is_(True)))
        tiers = {row[0]: row[1] for row in rows}
        session.info[_DIRECTORY] = tiers
    return tiers


def team_for_tier(session: Session, team: str, tier: int) -> tuple[str, bool]:
    """The team that takes a ticket of ``team`` at ``tier``, and whether its agents are of
    that tier (so that one of them may be given the ticket): the ticket's own team if its
    record is of that tier or higher, else the first active team of that tier by key."""
    tiers = _team_tiers(session)
    if tiers.get(team, 0) >= tier:
        return team, True
    upper = sorted(key for key, t in tiers.items() if t == tier)
    if upper:
        return upper[0], True
    return team, False


def move_up(
    session: Session,
    ticket: Ticket,
    viewer: UserInfo | None,
    tier: int,
    now: dt.datetime,
    *,
    note: str,
    actor_name: str | None = None,
) -> Escalated:
    """Put ``ticket`` at ``tier``, with its team and assignee for that tier, and a history row
    for each change (``viewer`` None: the system, named ``actor_name``)."""
    before = Escalated(
        ticket.tier, ticket.tier, ticket.team, ticket.team, ticket.assignee_id, ticket.assignee_id
    )
    record_change(
        session,
        ticket,
        viewer,
        "escalate",
        now,
        field="tier",
        old=ticket.tier,
        new=tier,
        note=note,
        actor_name=actor_name,
    )
    ticket.tier = tier
    with session.no_autoflush:  # team records are read, not changed, here
        team, staffed = team_for_tier(session, ticket.team, tier)
    if team != ticket.team:
        record_change(
            session,
            ticket,
            viewer,
            "escalate",
            now,
            field="team",
            old=ticket.team,
            new=team,
            actor_name=actor_name,
        )
        ticket.team = team
    chosen = pick_assignee(session, team) if staffed else None
    if chosen != ticket.assignee_id:
        with session.no_autoflush:
            agent = session.get(User, chosen) if chosen is not None else None
        record_change(
            session,
            ticket,
            viewer,
            "assign",
            now,
            field="assignee",
            old=ticket.assignee.name if ticket.assignee else None,
            new=agent.name if agent else None,
            actor_name=actor_name,
        )
        ticket.assignee_id = chosen
        ticket.assignee = agent
    return Escalated(
        before.tier_before,
        tier,
        before.team_before,
        ticket.team,
        before.assignee_before,
        ticket.assignee_id,
    )


def notify_assignee(
    session: Session,
    ticket: Ticket,
    escalated: Escalated,
    now: dt.datetime,
    settings: TicketSettings | None = None,
    *,
    why: str,
    labels: TeamLabels | None = None,
) -> int:
    """Queue the "escalated to you" mail for the agent who got the ticket; returns 0 or 1
    (``labels``: the team names already read, by a job escalating many tickets)."""
    if escalated.assignee_id in (None, escalated.assignee_before) or ticket.assignee is None:
        return 0
    agent = ticket.assignee
    if not agent.active or not wants_mail(session, agent.email, ASSIGNED_KIND):
        return 0
    settings = settings or TicketSettings(attachments_dir=Path("attachments"))
    lang = agent.lang if agent.lang in ("ar", "en") else "ar"
    mail = escalation_mail(
        lang,
        agent.email,
        ticket,
        settings,
        name=agent.name,
        tier=escalated.tier,
        team=label(team_labels(session) if labels is None else labels, ticket.team, lang),
        why=why,
    )
    enqueue(session, mail, now=now)
    return 1
