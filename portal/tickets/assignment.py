"""Staff handling a ticket: claim and assign it, change its priority, category, tags and
status, and escalate it to the next tier."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import Team, User, UserInfo
from portal.config import TicketSettings
from portal.tickets import escalation, service_levels
from portal.tickets.access import check_may_work
from portal.tickets.errors import ValidationError
from portal.tickets.history import record_change, set_status
from portal.tickets.models import Ticket, TicketMessage
from portal.tickets.states import TIERS
from portal.tickets.validation import valid_category, valid_priority, valid_tags, valid_text
from portal.tickets.values import TicketChanges, TicketInfo, ticket_info

# The note the system writes on escalation, in the ticket's language (the agents working
# the ticket read its language).
ESCALATED_NOTE = {
    "ar": "صُعِّدت التذكرة إلى المستوى {tier}: {why}",
    "en": "Escalated to tier {tier}: {why}",
}


def _assign(
    session: Session, ticket: Ticket, viewer: UserInfo, assignee: User | None, now: dt.datetime
) -> None:
    old = ticket.assignee.name if ticket.assignee else None
    if (assignee.id if assignee else None) == ticket.assignee_id:
        return
    ticket.assignee_id = assignee.id if assignee else None
    ticket.assignee = assignee
    record_change(
        session,
        ticket,
        viewer,
        "assign",
        now,
        field="assignee",
        old=old,
        new=assignee.name if assignee else None,
    )
    if assignee is not None and ticket.status == "new":
        set_status(session, ticket, viewer, "open", now)


def claim_ticket(
    session: Session, viewer: UserInfo | None, reference: str, *, now: dt.datetime
) -> TicketInfo:
    """The viewer takes the ticket (and a new ticket becomes open)."""
    ticket = check_may_work(session, viewer, reference, "claim")
    assert viewer is not None
    _assign(session, ticket, viewer, session.get(User, viewer.id), now)
    session.flush()
    return ticket_info(ticket)


def assign_ticket(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    assignee_id: int | None,
    now: dt.datetime,
) -> TicketInfo:
    """Give the ticket to an active agent of its team (None: back to the team's queue)."""
    ticket = check_may_work(session, viewer, reference, "assign")
    assert viewer is not None
    assignee = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if (
            assignee is None
            or not assignee.active
            or "agent" not in assignee.role_names
            or ticket.team not in assignee.team_names
        ):
            raise ValidationError(
                "assignee_id", f"Choose an active agent of the {ticket.team} team.", "choice"
            )
    _assign(session, ticket, viewer, assignee, now)
    session.flush()
    return ticket_info(ticket)


def update_ticket(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    changes: TicketChanges,
    *,
    now: dt.datetime,
) -> TicketInfo:
    """Change priority, category and tags; each changed field gets a history row."""
    ticket = check_may_work(session, viewer, reference, "update")
    if changes.priority is not None and changes.priority != ticket.priority:
        new_priority = valid_priority(changes.priority)
        record_change(
            session,
            ticket,
            viewer,
            "update",
            now,
            field="priority",
            old=ticket.priority,
            new=new_priority,
        )
        ticket.priority = new_priority
    if changes.category is not None:
        new_category = valid_category(changes.category)
        if new_category != ticket.category:
            record_change(
                session,
                ticket,
                viewer,
                "update",
                now,
                field="category",
                old=ticket.category,
                new=new_category,
            )
            ticket.category = new_category
    if changes.tags is not None:
        new_tags = valid_tags(changes.tags)
        if new_tags != list(ticket.tags or ()):
            record_change(
                session, ticket, viewer, "update", now, field="tags", old=ticket.tags, new=new_tags
            )
            ticket.tags = new_tags
    # A new priority or category may choose another policy: the deadlines follow.
    service_levels.on_change(session, ticket)
    session.flush()
    return ticket_info(ticket)


def change_status(
    session: Session, viewer: UserInfo | None, reference: str, *, status: str, now: dt.datetime
) -> TicketInfo:
    """Staff move a ticket between open, pending (waiting for the requester) and on hold.
    Resolving has its own rules (``resolve_ticket``); closing is the requester's or time's."""
    ticket = check_may_work(session, viewer, reference, "change_status")
    if status not in ("open", "pending", "on_hold"):
        raise ValidationError("status", "Choose open, pending or on_hold.", "choice")
    if status == ticket.status:
        return ticket_info(ticket)  # the form sent the status it already has: nothing to do
    set_status(session, ticket, viewer, status, now)
    session.flush()
    return ticket_info(ticket)


def escalate_ticket(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    reason: str,
    now: dt.datetime,
    settings: TicketSettings | None = None,
) -> TicketInfo:
    """Move the ticket to the next tier with a reason (kept as an internal note): to a team of
    that tier and one of its agents (``portal.tickets.escalation``), who is told by mail; with
    nobody available it waits, unassigned, in the higher tier's queue."""
    ticket = check_may_work(session, viewer, reference, "escalate")
    assert viewer is not None
    why = valid_text("reason", reason, 2000)
    if ticket.tier >= max(TIERS):
        raise ValidationError("tier", "The ticket is already at the highest tier.", "max")
    escalated = escalation.move_up(session, ticket, viewer, ticket.tier + 1, now, note=why)
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            author_id=viewer.id,
            author_name=viewer.name,
            body=ESCALATED_NOTE.get(ticket.lang, ESCALATED_NOTE["en"]).format(
                tier=ticket.tier, why=why
            ),
            internal=True,
            created_at=now,
        )
    )
    escalation.notify_assignee(session, ticket, escalated, now, settings, why=why)
    session.flush()
    return ticket_info(ticket)


def transfer_ticket(
    session: Session, viewer: UserInfo | None, reference: str, *, team: str, now: dt.datetime
) -> TicketInfo:
    """Move the ticket to another active team's queue (the bulk "assign to a team"); an
    assignee who is not in that team lets it go."""
    ticket = check_may_work(session, viewer, reference, "assign")
    assert viewer is not None
    key = team.strip().lower()
    known = session.scalar(select(Team.key).where(Team.key == key, Team.active.is_(True)))
    if known is None:
        raise ValidationError("team", "Choose an active team.", "choice")
    if key == ticket.team:
        return ticket_info(ticket)
    record_change(session, ticket, viewer, "transfer", now, field="team", old=ticket.team, new=key)
    ticket.team = key
    if ticket.assignee is not None and key not in ticket.assignee.team_names:
        _assign(session, ticket, viewer, None, now)
    session.flush()
    return ticket_info(ticket)
