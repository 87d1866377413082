"""Who may see and work a ticket, and loading it for them.

Tickets the viewer may not see raise ``TicketNotFound``, the same as missing ones, so
references cannot be probed; staff-only and requester-only actions raise ``TicketForbidden``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.errors import TicketForbidden, TicketNotFound
from portal.tickets.models import Ticket
from portal.tickets.values import TicketInfo, ticket_info


def may_work(viewer: UserInfo | None, ticket: Ticket) -> bool:
    """Staff rights on this ticket: admins everywhere, agents on their teams' or their own."""
    if viewer is None or not viewer.active:
        return False
    if viewer.is_admin:
        return True
    return viewer.is_agent and (ticket.team in viewer.teams or ticket.assignee_id == viewer.id)


def may_see(viewer: UserInfo | None, ticket: Ticket) -> bool:
    """Staff rights on the ticket, or the viewer asked for it."""
    if viewer is None or not viewer.active:
        return False
    return may_work(viewer, ticket) or ticket.requester_id == viewer.id


def load_ticket(
    session: Session, viewer: UserInfo | None, reference: str, *, for_update: bool = False
) -> Ticket:
    """The ticket ``reference`` if the viewer may see it, else ``TicketNotFound``."""
    stmt = select(Ticket).where(Ticket.reference == reference.strip().upper())
    if for_update:
        # Row lock on PostgreSQL so two agents' changes serialise (SQLite: BEGIN IMMEDIATE).
        stmt = stmt.with_for_update(of=Ticket)
    ticket = session.scalars(stmt).unique().first()
    if ticket is None or not may_see(viewer, ticket):
        raise TicketNotFound(reference)
    return ticket


def load_as_staff(session: Session, viewer: UserInfo | None, reference: str) -> Ticket:
    """The ticket, locked, for staff who may work it; ``TicketForbidden`` for others."""
    ticket = load_ticket(session, viewer, reference, for_update=True)
    if not may_work(viewer, ticket):
        raise TicketForbidden("only agents of the ticket's team may do this")
    return ticket


def load_as_requester(session: Session, viewer: UserInfo | None, reference: str) -> Ticket:
    """The ticket, locked, for the person who asked; ``TicketForbidden`` for others."""
    ticket = load_ticket(session, viewer, reference, for_update=True)
    if viewer is None or ticket.requester_id != viewer.id:
        raise TicketForbidden("only the requester may do this")
    return ticket


def require_staff(viewer: UserInfo | None) -> UserInfo:
    """The viewer if they are active staff (agent or admin), else ``TicketForbidden``."""
    if viewer is None or not viewer.active or not viewer.is_staff:
        raise TicketForbidden("staff only")
    return viewer


def get_ticket_for(session: Session, viewer: UserInfo | None, reference: str) -> TicketInfo:
    """The ticket if ``viewer`` may see it; ``TicketNotFound`` when missing *or* forbidden."""
    return ticket_info(load_ticket(session, viewer, reference))


def within_reopen_window(ticket: Ticket, settings: TicketSettings, now: dt.datetime) -> bool:
    """The requester may still reopen: resolved no longer than ``reopen_window`` ago."""
    return ticket.resolved_at is not None and now - ticket.resolved_at <= settings.reopen_window
