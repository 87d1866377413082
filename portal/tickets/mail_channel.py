"""What mail intake (``portal.mailin``) does to tickets: open one on the ``email`` channel,
add a reply from its requester or visitor, keep a stranger's mail as an internal note, and
keep the original message (``.eml``) beside what was stored.

The rules stay those of the other front doors: the same attachment checks, a reply only to
an active ticket, a pending ticket opening again when its requester answers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.attachments import attach_file, new_stored_name, store
from portal.tickets.conversation import add_reply, add_visitor_reply
from portal.tickets.history import record_change
from portal.tickets.intake import open_ticket_by_mail
from portal.tickets.models import Ticket, TicketAttachment, TicketMessage
from portal.tickets.states import ACTIVE_STATUSES
from portal.tickets.validation import MAX_BODY
from portal.tickets.values import AttachmentInfo, TicketInfo, ticket_info

__all__ = [
    "add_mail_note",
    "add_mail_reply",
    "keep_original",
    "load_by_id",
    "open_ticket_by_mail",
    "participants",
    "takes_replies",
]

ORIGINAL_TYPE = "message/rfc822"


def load_by_id(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket a verified reply token names (the token is the permission), locked."""
    return session.get(Ticket, ticket_id, with_for_update={"of": Ticket})  # not the joined users


def takes_replies(ticket: Ticket) -> bool:
    """Whether a reply by mail lands on ``ticket`` (else the mail opens a new ticket)."""
    return ticket.status in ACTIVE_STATUSES


def participants(ticket: Ticket) -> tuple[str, ...]:
    """The addresses that may answer ``ticket`` by mail: its requester's or visitor's."""
    found = []
    if ticket.requester is not None and ticket.requester.active:
        found.append(ticket.requester.email.lower())
    if ticket.visitor_email:
        found.append(ticket.visitor_email.lower())
    return tuple(found)


def add_mail_reply(
    session: Session,
    settings: TicketSettings,
    ticket: Ticket,
    sender: UserInfo | None,
    *,
    body: str,
    files: tuple[tuple[str, bytes], ...],
    now: dt.datetime,
) -> tuple[TicketInfo, tuple[AttachmentInfo, ...]]:
    """The requester (``sender``) or the visitor answers ``ticket`` by mail; files already
    checked by the caller. An empty text with files stores only the files."""
    name = sender.name if sender else (ticket.visitor_name or ticket.visitor_email or "")
    text = body.strip()[:MAX_BODY]
    stored = tuple(
        attach_file(
            session,
            settings,
            ticket,
            sender,
            filename=filename,
            data=data,
            uploader_name=None if sender else name,
            now=now,
        )
        for filename, data in files
    )
    if sender is not None and text:
        add_reply(session, settings, sender, ticket.reference, body=text, now=now)
    else:
        add_visitor_reply(session, ticket, name, text, now, viewer=sender)
    session.flush()
    return ticket_info(ticket), stored


def add_mail_note(
    session: Session, ticket: Ticket, *, sender: str, body: str, now: dt.datetime
) -> TicketInfo:
    """Mail about ``ticket`` from someone not on it: kept for the agents as an internal note
    (never shown to the requester, never answered), so nothing is lost and nobody can post
    on a ticket they were only forwarded."""
    text = f"{sender}:\n\n{body.strip()}"[:MAX_BODY]
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            author_id=None,
            author_name=sender[:200],
            body=text,
            internal=True,
            created_at=now,
        )
    )
    record_change(session, ticket, None, "note", now, actor_name=sender[:200])
    session.flush()
    return ticket_info(ticket)


def keep_original(
    session: Session,
    settings: TicketSettings,
    ticket_id: int,
    *,
    filename: str,
    data: bytes,
    now: dt.datetime,
) -> AttachmentInfo:
    """The message as it arrived, as an internal ``.eml`` file for the agents: what trimming
    took away (quoted history, signature) stays readable. Not counted against the ticket's
    number of files, and not type-checked: it is our record of the mail, not an upload.
    By id: a ticket just opened need not be loaded again for it."""
    stored_name = new_stored_name()
    store(settings.attachments_dir, stored_name, data)
    row = TicketAttachment(
        ticket_id=ticket_id,
        stored_name=stored_name,
        filename=filename,
        content_type=ORIGINAL_TYPE,
        size=len(data),
        internal=True,
        uploaded_by_id=None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return AttachmentInfo(
        row.id, row.filename, row.content_type, row.size, row.internal, row.created_at
    )
