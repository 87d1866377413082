"""A visitor's private link: someone without an account follows and answers their ticket.

The link carries a random token (256 bits, ``portal.accounts.passwords.new_token``); only its
SHA-256 is stored, like API tokens, so a copy of the database opens no ticket. Each visitor
ticket has one live link: "send me a new link" (from the page, or by reference and address
when the link is lost) replaces it, and the old one stops working at once. A token opens
only its own ticket, and only what the person who asked may see (no internal notes or
files, no history); a wrong or replaced token is ``TicketNotFound``, like a missing ticket.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.accounts.errors import ValidationError as AccountValidationError
from portal.accounts.passwords import new_token, token_digest
from portal.accounts.services import normalize_email
from portal.config import TicketSettings
from portal.notify.mail import OutgoingMail
from portal.notify.messages import compose
from portal.tickets.access import within_reopen_window
from portal.tickets.attachments import attach_file, stored_path
from portal.tickets.conversation import add_visitor_reply, public_detail
from portal.tickets.errors import AttachmentNotFound, InvalidTransition, TicketNotFound
from portal.tickets.history import record_change, set_status
from portal.tickets.models import Ticket, TicketAttachment, TicketVisitorLink
from portal.tickets.resolution import reopen
from portal.tickets.states import ACTIVE_STATUSES
from portal.tickets.validation import MAX_BODY, valid_text
from portal.tickets.values import AttachmentFile, TicketDetail, TicketInfo, ticket_info

TOKEN_CHARS = 43  # secrets.token_urlsafe(32)
MAX_TOKEN_CHARS = 100  # anything longer is not one of ours: refused before hashing


@dataclass(frozen=True)
class NewVisitorLink:
    """A fresh link (the plain token exists only here) and the mail that carries it."""

    ticket: TicketInfo
    token: str
    url: str
    mail: OutgoingMail | None


def issue_visitor_link(session: Session, ticket: Ticket, *, now: dt.datetime) -> str:
    """A new token for a visitor's ``ticket``, replacing any earlier one; returns it once."""
    token = new_token()
    session.execute(delete(TicketVisitorLink).where(TicketVisitorLink.ticket_id == ticket.id))
    session.add(
        TicketVisitorLink(ticket_id=ticket.id, token_hash=token_digest(token), created_at=now)
    )
    session.flush()
    return token


def _load(
    session: Session, token: str, *, for_update: bool = False, now: dt.datetime | None = None
) -> Ticket:
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise TicketNotFound("visitor link")
    link = session.scalars(
        select(TicketVisitorLink).where(TicketVisitorLink.token_hash == token_digest(token))
    ).first()
    if link is None:
        raise TicketNotFound("visitor link")
    stmt = select(Ticket).where(Ticket.id == link.ticket_id)
    if for_update:
        stmt = stmt.with_for_update(of=Ticket)
    ticket = session.scalars(stmt).unique().first()
    if ticket is None or ticket.requester_id is not None or not ticket.visitor_email:
        raise TicketNotFound("visitor link")
    if now is not None:
        link.used_at = now
    return ticket


def _actions(ticket: Ticket, settings: TicketSettings, now: dt.datetime) -> frozenset[str]:
    actions: set[str] = {"renew"}
    if ticket.status in ACTIVE_STATUSES:
        actions |= {"reply", "attach"}
    if ticket.status == "resolved":
        actions.add("confirm")
        if within_reopen_window(ticket, settings, now):
            actions.add("reopen")
    return frozenset(actions)


def get_visitor_ticket(
    session: Session, settings: TicketSettings, token: str, *, now: dt.datetime
) -> TicketDetail:
    """The ticket behind ``token`` as its visitor sees it, with what they may do now."""
    ticket = _load(session, token)
    return public_detail(session, ticket, _actions(ticket, settings, now))


def visitor_reply(
    session: Session,
    settings: TicketSettings,
    token: str,
    *,
    body: str,
    attached: tuple[str, bytes] | None = None,
    now: dt.datetime,
) -> TicketInfo:
    """The visitor answers (a text, a file, or both) while the ticket is active; a pending
    ticket opens again, as when a requester answers."""
    ticket = _load(session, token, for_update=True, now=now)
    if ticket.status not in ACTIVE_STATUSES:
        raise InvalidTransition(ticket.status, "reply", "reopen the ticket to reply to it")
    name = ticket.visitor_name or ticket.visitor_email or ""
    text = valid_text("body", body, MAX_BODY, required=attached is None)
    if attached is not None:
        filename, data = attached
        attach_file(
            session,
            settings,
            ticket,
            None,
            filename=filename,
            data=data,
            uploader_name=name,
            now=now,
        )
    add_visitor_reply(session, ticket, name, text, now)
    session.flush()
    return ticket_info(ticket)


def visitor_confirm(session: Session, token: str, *, now: dt.datetime) -> TicketInfo:
    """ "Solved": the visitor agrees with the resolution and the ticket closes."""
    ticket = _load(session, token, for_update=True, now=now)
    if ticket.status != "resolved":
        raise InvalidTransition(ticket.status, "closed")
    set_status(session, ticket, None, "closed", now)
    ticket.closed_at = now
    session.flush()
    return ticket_info(ticket)


def visitor_reopen(
    session: Session,
    settings: TicketSettings,
    token: str,
    *,
    reason: str,
    attention_reopens: int = 1,
    now: dt.datetime,
) -> TicketInfo:
    """ "Still not solved": within the reopen window, with the reason (required), which
    becomes a reply in the conversation."""
    ticket = _load(session, token, for_update=True, now=now)
    if ticket.status != "resolved":
        raise InvalidTransition(ticket.status, "open")
    if not within_reopen_window(ticket, settings, now):
        raise InvalidTransition(
            "resolved", "open", "the time to reopen has passed; please open a new ticket"
        )
    text = valid_text("reason", reason, MAX_BODY)
    name = ticket.visitor_name or ticket.visitor_email or ""
    reopen(session, ticket, None, text, now, attention_reopens=attention_reopens, actor_name=name)
    return ticket_info(ticket)


def get_visitor_attachment(
    session: Session, settings: TicketSettings, token: str, attachment_id: int
) -> AttachmentFile:
    """A public file of the visitor's own ticket (never an internal one, never another's)."""
    ticket = _load(session, token)
    row = session.get(TicketAttachment, attachment_id)
    if row is None or row.ticket_id != ticket.id or row.internal:
        raise AttachmentNotFound(str(attachment_id))
    path = stored_path(settings.attachments_dir, row.stored_name)
    if path is None:
        raise AttachmentNotFound(str(attachment_id))
    return AttachmentFile(
        path=path, download_name=row.filename, content_type=row.content_type, size=row.size
    )


def _link_mail(ticket: Ticket, settings: TicketSettings, url: str) -> OutgoingMail:
    # Like the visitor's first mail, it repeats nothing they typed (no name, no subject).
    assert ticket.visitor_email is not None
    return compose(
        "ticket_link_visitor",
        ticket.lang,
        ticket.visitor_email,
        reference=ticket.reference,
        link=url,
    )


def renew_visitor_link(
    session: Session, settings: TicketSettings, token: str, *, now: dt.datetime
) -> NewVisitorLink:
    """ "Send me a new link" on the page: the current link is replaced and the new one mailed
    to the ticket's address (whoever holds a leaked copy loses access)."""
    ticket = _load(session, token, for_update=True)
    fresh = issue_visitor_link(session, ticket, now=now)
    url = settings.visitor_url(fresh)
    record_change(session, ticket, None, "visitor_link", now, actor_name=ticket.visitor_name or "")
    return NewVisitorLink(ticket_info(ticket), fresh, url, _link_mail(ticket, settings, url))


def request_visitor_link(
    session: Session, settings: TicketSettings, *, reference: str, email: str, now: dt.datetime
) -> OutgoingMail | None:
    """The link was lost: when ``reference`` is a visitor ticket of ``email``, a new link
    replaces the old and is mailed to that address (never shown). The caller answers the
    same whatever this returns, so the page tells nobody which tickets exist."""
    try:
        address = normalize_email(email, field="email")
    except AccountValidationError:
        return None
    wanted = " ".join(reference.split()).upper()[:20]
    ticket = (
        session.scalars(select(Ticket).where(Ticket.reference == wanted).with_for_update(of=Ticket))
        .unique()
        .first()
    )
    if ticket is None or ticket.requester_id is not None or ticket.visitor_email != address:
        return None
    fresh = issue_visitor_link(session, ticket, now=now)
    record_change(session, ticket, None, "visitor_link", now, actor_name=ticket.visitor_name or "")
    return _link_mail(ticket, settings, settings.visitor_url(fresh))
