"""Who is replying to a ticket right now, so two agents do not answer the same person twice.

The agent page renews a row every few seconds while its reply box is in use; a row counts for
``PRESENCE_TTL`` after its last renewal, so a closed tab fades out by itself. The rows live in
the database, not in a worker's memory: every worker and host sees the same agents.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.accounts.models import User, UserInfo
from portal.tickets.access import load_as_staff
from portal.tickets.workspace_models import TicketPresence

PRESENCE_TTL = dt.timedelta(seconds=60)
SWEEP_ROWS = 100  # expired marks forgotten per request, at most


@dataclass(frozen=True)
class Replier:
    """Another agent with the ticket's reply box open."""

    id: int
    name: str
    seen_at: dt.datetime


def mark_replying(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    now: dt.datetime,
    replying: bool = True,
) -> None:
    """The viewer is replying to the ticket now (or, with ``replying=False``, has stopped).
    Staff who may work the ticket only; expired rows of every ticket are swept on the way."""
    ticket = load_as_staff(session, viewer, reference, lock=False)
    assert viewer is not None
    row = session.get(TicketPresence, (ticket.id, viewer.id))
    if not replying:
        if row is not None:
            session.delete(row)
    elif row is not None:
        row.seen_at = now
    else:
        try:
            with session.begin_nested():  # the same agent's second tab may insert at once
                session.add(TicketPresence(ticket_id=ticket.id, user_id=viewer.id, seen_at=now))
        except IntegrityError:
            row = session.get(TicketPresence, (ticket.id, viewer.id))
            if row is not None:
                row.seen_at = now
    session.flush()
    _sweep(session, now)  # after the viewer's own mark is fresh, so it is never swept
    session.flush()


def _sweep(session: Session, now: dt.datetime) -> None:
    """Forget expired marks, skipping any another request holds: two agents renewing at once
    never wait for each other (so never deadlock on PostgreSQL)."""
    expired = session.scalars(
        select(TicketPresence)
        .where(TicketPresence.seen_at < now - PRESENCE_TTL)
        .limit(SWEEP_ROWS)
        .with_for_update(skip_locked=True)
    ).all()
    for row in expired:
        session.delete(row)


def others_replying(
    session: Session, viewer: UserInfo | None, reference: str, *, now: dt.datetime
) -> tuple[Replier, ...]:
    """The other agents replying to the ticket within the last ``PRESENCE_TTL``, by
    name. Staff who may work the ticket only."""
    ticket = load_as_staff(session, viewer, reference, lock=False)
    assert viewer is not None
    rows = session.execute(
        select(User.id, User.name, TicketPresence.seen_at)
        .join(User, User.id == TicketPresence.user_id)
        .where(
            TicketPresence.ticket_id == ticket.id,
            TicketPresence.user_id != viewer.id,
            TicketPresence.seen_at >= now - PRESENCE_TTL,
        )
        .order_by(User.name, User.id)
    ).all()
    return tuple(Replier(id=r.id, name=r.name, seen_at=r.seen_at) for r in rows)
