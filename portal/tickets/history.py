"""A ticket's history: one row per change (who, what, when), and status changes that keep to
the allowed transitions (``portal.tickets.states``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.tickets import service_levels
from portal.tickets.errors import InvalidTransition
from portal.tickets.models import Ticket, TicketHistory
from portal.tickets.states import can_transition


def _actor(viewer: UserInfo | None, fallback: str = "system") -> tuple[int | None, str]:
    return (viewer.id, viewer.name) if viewer else (None, fallback)


def record_change(
    session: Session,
    ticket: Ticket,
    viewer: UserInfo | None,
    action: str,
    now: dt.datetime,
    *,
    field: str | None = None,
    old: object = None,
    new: object = None,
    note: str | None = None,
    actor_name: str | None = None,
) -> None:
    """One history row: who, what, when."""
    actor_id, name = _actor(viewer, actor_name or "system")

    def show(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)[:500]
        return str(value)[:500]

    session.add(
        TicketHistory(
            ticket_id=ticket.id,
            actor_id=actor_id,
            actor_name=actor_name or name,
            action=action,
            field=field,
            old_value=show(old),
            new_value=show(new),
            note=note,
            created_at=now,
        )
    )
    ticket.updated_at = now


def set_status(
    session: Session,
    ticket: Ticket,
    viewer: UserInfo | None,
    wanted: str,
    now: dt.datetime,
    *,
    note: str | None = None,
    actor_name: str | None = None,
) -> None:
    """Move the ticket to ``wanted`` if the transition is allowed, with a history row
    (``actor_name`` names someone without an account, such as a visitor)."""
    if not can_transition(ticket.status, wanted):
        raise InvalidTransition(ticket.status, wanted)
    record_change(
        session,
        ticket,
        viewer,
        "status",
        now,
        field="status",
        old=ticket.status,
        new=wanted,
        note=note,
        actor_name=actor_name,
    )
    old = ticket.status
    ticket.status = wanted
    service_levels.on_status_change(session, ticket, old, wanted, now)
