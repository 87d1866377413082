"""Who may see and work a ticket, and loading it for them.

Tickets the viewer may not see raise ``TicketNotFound``, the same as missing ones, so
references cannot be probed; staff-only and requester-only actions raise ``TicketForbidden``.

Each action's "may this viewer do this to this ticket now" is one ``check_may_*`` function
here (``may_act`` picks it by name). The action calls it first, and a page or API call whose
input is refused calls it before reporting field errors, so 404/403/409 always come before
field errors and a field error never tells anything about a ticket the viewer may not see.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.errors import InvalidTransition, TicketForbidden, TicketNotFound
from portal.tickets.models import Ticket
from portal.tickets.states import ACTIVE_STATUSES, can_transition
from portal.tickets.values import TicketInfo, ticket_info

MAX_REFERENCE = 64  # far above any reference Sanad gives out ("HD-000123")


class _Worked(Protocol):
    team: str
    assignee_id: int | None


def may_work(viewer: UserInfo | None, ticket: Ticket | _Worked) -> bool:
    """Staff rights on this ticket (a row or its ``TicketInfo``): admins everywhere, agents on
    their teams' or their own (after an escalation to another team, perhaps no longer)."""
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
    if "\0" in reference or len(reference) > MAX_REFERENCE:
        # No ticket has such a reference, and PostgreSQL refuses NUL in any text it is sent.
        raise TicketNotFound(reference[:MAX_REFERENCE].replace("\0", ""))
    stmt = select(Ticket).where(Ticket.reference == reference.strip().upper())
    if for_update:
        # Row lock on PostgreSQL so two agents' changes serialise (SQLite: BEGIN IMMEDIATE).
        stmt = stmt.with_for_update(of=Ticket)
    ticket = session.scalars(stmt).unique().first()
    if ticket is None or not may_see(viewer, ticket):
        raise TicketNotFound(reference)
    return ticket


def load_as_staff(
    session: Session, viewer: UserInfo | None, reference: str, *, lock: bool = True
) -> Ticket:
    """The ticket, locked, for staff who may work it; ``TicketForbidden`` for others."""
    ticket = load_ticket(session, viewer, reference, for_update=lock)
    if not may_work(viewer, ticket):
        raise TicketForbidden("only agents of the ticket's team may do this")
    return ticket


def load_as_requester(
    session: Session, viewer: UserInfo | None, reference: str, *, lock: bool = True
) -> Ticket:
    """The ticket, locked, for the person who asked; ``TicketForbidden`` for others."""
    ticket = load_ticket(session, viewer, reference, for_update=lock)
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


# --- may this viewer do this to this ticket now? (before any field is looked at) ---------

# Staff actions that need the ticket in a given state: the allowed statuses and the name
# the 409 gives the refused change. Linking, flagging and changing the status ask nothing
# more than staff rights here (the wanted status is a field of its own).
_STAFF_STATES: dict[str, tuple[tuple[str, ...], str]] = {
    "claim": (ACTIVE_STATUSES, "claimed"),
    "assign": (ACTIVE_STATUSES, "assigned"),
    "update": ((*ACTIVE_STATUSES, "resolved"), "updated"),
    "escalate": (ACTIVE_STATUSES, "escalated"),
}
STAFF_ACTIONS = frozenset({*_STAFF_STATES, "change_status", "link_article", "flag_article"})


def check_may_work(
    session: Session, viewer: UserInfo | None, reference: str, action: str, *, lock: bool = True
) -> Ticket:
    """Staff rights on the ticket, and its state allows ``action`` (one of ``STAFF_ACTIONS``
    or ``"resolve"``): 404, 403 or 409 otherwise."""
    ticket = load_as_staff(session, viewer, reference, lock=lock)
    if action == "resolve":
        if not can_transition(ticket.status, "resolved"):
            raise InvalidTransition(ticket.status, "resolved")
        return ticket
    if action not in STAFF_ACTIONS:
        raise ValueError(f"not a staff action on tickets: {action!r}")
    allowed, becomes = _STAFF_STATES.get(action, ((), ""))
    if becomes and ticket.status not in allowed:
        raise InvalidTransition(ticket.status, becomes)
    return ticket


def check_may_reply(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    internal: bool = False,
    lock: bool = True,
) -> Ticket:
    """A public reply (the requester on an active ticket, staff until it closes) or an
    internal note (staff, in any state)."""
    ticket = load_ticket(session, viewer, reference, for_update=lock)
    staff = may_work(viewer, ticket)
    if internal and not staff:
        raise TicketForbidden("only staff write internal notes")
    if not internal:
        if ticket.status == "closed":
            raise InvalidTransition("closed", "reply", "a closed ticket takes no replies")
        if not staff and ticket.status not in ACTIVE_STATUSES:
            raise InvalidTransition(ticket.status, "reply", "reopen the ticket to reply to it")
    return ticket


def check_may_attach(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    internal: bool = False,
    lock: bool = True,
) -> Ticket:
    """A file: like a reply, except that no file is added to a closed ticket, internal or
    not."""
    ticket = load_ticket(session, viewer, reference, for_update=lock)
    staff = may_work(viewer, ticket)
    if internal and not staff:
        raise TicketForbidden("only staff add internal attachments")
    if ticket.status == "closed":
        raise InvalidTransition("closed", "attach")
    if not staff and ticket.status not in ACTIVE_STATUSES:
        # Like replies: a requester reopens a resolved ticket before adding to it.
        raise InvalidTransition(ticket.status, "attach", "reopen the ticket to add files")
    return ticket


def check_may_confirm(
    session: Session, viewer: UserInfo | None, reference: str, *, lock: bool = True
) -> Ticket:
    """The requester closes a resolved ticket."""
    ticket = load_as_requester(session, viewer, reference, lock=lock)
    if not can_transition(ticket.status, "closed"):
        raise InvalidTransition(ticket.status, "closed")
    return ticket


def check_may_reopen(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    *,
    now: dt.datetime,
    lock: bool = True,
) -> Ticket:
    """The requester within the reopen window, staff at any time before it closes."""
    ticket = load_ticket(session, viewer, reference, for_update=lock)
    assert viewer is not None  # load_ticket refuses anonymous viewers
    staff = may_work(viewer, ticket)
    if not staff and ticket.requester_id != viewer.id:
        raise TicketForbidden("only the requester or staff may reopen")
    if ticket.status != "resolved":
        raise InvalidTransition(ticket.status, "open")
    if not staff and not within_reopen_window(ticket, settings, now):
        raise InvalidTransition(
            "resolved", "open", "the time to reopen has passed; please open a new ticket"
        )
    return ticket


def check_may_rate(
    session: Session, viewer: UserInfo | None, reference: str, *, lock: bool = True
) -> Ticket:
    """The requester rates a resolved or closed ticket."""
    ticket = load_as_requester(session, viewer, reference, lock=lock)
    if ticket.status not in ("resolved", "closed"):
        raise InvalidTransition(ticket.status, "rated", "only a resolved ticket can be rated")
    return ticket


def may_act(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    action: str,
    *,
    now: dt.datetime,
    internal: bool = False,
) -> None:
    """Raise what ``action`` on ``reference`` would raise for ``viewer`` before it looks at
    any field (``TicketNotFound``, ``TicketForbidden``, ``InvalidTransition``); return when
    only the fields can still be refused. Reads, locks nothing."""
    if action == "reply":
        check_may_reply(session, viewer, reference, internal=internal, lock=False)
    elif action == "attach":
        check_may_attach(session, viewer, reference, internal=internal, lock=False)
    elif action == "confirm":
        check_may_confirm(session, viewer, reference, lock=False)
    elif action == "reopen":
        check_may_reopen(session, settings, viewer, reference, now=now, lock=False)
    elif action == "rate":
        check_may_rate(session, viewer, reference, lock=False)
    else:
        check_may_work(session, viewer, reference, action, lock=False)
