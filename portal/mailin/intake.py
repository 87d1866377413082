"""Taking one message in: a new ticket, a reply on its ticket, a note for the agents, or
nothing (an automatic message, a duplicate), decided and stored in one transaction.

- A reply finds its ticket only by a genuine reply token (``portal.tickets.reply_tokens``)
  in the address it was sent to, ``X-Sanad-Ticket-Token``, In-Reply-To or References; a
  token for someone else (a forwarded notification) makes the mail an internal note.
- A reply to a ticket that no longer takes replies (resolved, closed) opens a new ticket.
- Auto-replies, bounces and loops are recorded and dropped: never a ticket, never answered.
- One row per Message-ID (``InboundMail``) makes the listener and the poller idempotent. A
  copy taken before is found first; it is written last, in the same transaction as what the
  message did, so a copy racing the first fails on its unique key and everything it did is
  rolled back (fewer statements than writing it first and updating it: intake speed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.models import User, UserInfo
from portal.accounts.rate_counters import count_hit
from portal.config import Settings
from portal.db import transaction
from portal.mailin.models import FAILED, IGNORED, NOTED, OPENED, REFUSED, REPLIED, InboundMail
from portal.mailin.parse import MailPart, ParsedMail, parse_mail
from portal.mailin.replies import refusal_mail, refused_files_mail
from portal.mailin.trim import trim_reply
from portal.notify.outbox import OutboxMessage, enqueue
from portal.tickets.attachments import check_file
from portal.tickets.errors import LoginRequired, TicketError, ValidationError
from portal.tickets.mail_channel import (
    add_mail_note,
    add_mail_reply,
    keep_original,
    load_by_id,
    open_ticket_by_mail,
    participants,
    takes_replies,
)
from portal.tickets.models import Ticket, TicketAttachment
from portal.tickets.reply_tokens import TOKEN_HEADER, find_tokens, token_for
from portal.tickets.requester_mail import with_reply_route
from portal.tickets.values import TicketDraft

log = logging.getLogger(__name__)

DUPLICATE, DEFERRED = "duplicate", "deferred"
_AUTOMATIC_LOCALS = ("mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply")
_BULK = ("bulk", "junk", "list", "auto_reply")
SUBJECT_MAX = 200


@dataclass(frozen=True)
class Taken:
    """What became of one message: an outcome of ``portal.mailin.models``, ``duplicate``
    (taken before), or ``deferred`` (the sender's hourly limit; try again later)."""

    outcome: str
    reason: str | None = None
    reference: str | None = None
    ticket_id: int | None = None


def automatic_reason(mail: ParsedMail, settings: Settings, session: Session) -> str | None:
    """Why ``mail`` is an automatic message (auto-reply, bounce, loop), or None."""
    headers = mail.headers
    if mail.envelope_sender == "":
        return "null sender"
    if not mail.sender:
        return "no sender"
    for address in (mail.sender, mail.envelope_sender or ""):
        if address.partition("@")[0].lower() in _AUTOMATIC_LOCALS:
            return f"automatic sender {address}"
    if headers.get("auto-submitted", "no").lower() != "no":
        return "Auto-Submitted: " + headers["auto-submitted"]
    if headers.get("precedence", "").lower() in _BULK:
        return "Precedence: " + headers["precedence"]
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return "X-Autoreply"
    if mail.is_report:
        return "delivery report"
    if mail.sender in settings.mailin.support_addresses or _base(mail.sender) in (
        settings.mailin.support_addresses
    ):
        return "sent by Sanad itself"
    if mail.message_id is not None:
        ours = session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.message_id == mail.message_id)
        )
        if ours is not None:
            return "one of Sanad's own messages"
    return None


def _base(address: str) -> str:
    """``sanad+r12-…@example.org`` → ``sanad@example.org``."""
    local, _, domain = address.lower().partition("@")
    return f"{local.partition('+')[0]}@{domain}"


def is_support_address(settings: Settings, address: str) -> bool:
    """Whether Sanad takes mail sent to ``address`` (a support address, with or without a
    ``+token``)."""
    return _base(address) in settings.mailin.support_addresses


def _checked_files(
    settings: Settings, parts: tuple[MailPart, ...], room: int
) -> tuple[tuple[tuple[str, bytes], ...], tuple[tuple[str, str], ...]]:
    kept: list[tuple[str, bytes]] = []
    refused: list[tuple[str, str]] = []
    for part in parts:
        try:
            check_file(settings.tickets, part.data)
        except ValidationError as exc:
            if not (part.inline and exc.code == "type"):  # a signature's logo is no loss
                refused.append((part.filename, exc.code))
            continue
        if len(kept) >= room:
            refused.append((part.filename, "too_many"))
            continue
        kept.append((part.filename, part.data))
    return tuple(kept), tuple(refused)


def _room(session: Session, settings: Settings, ticket: Ticket | None) -> int:
    if ticket is None:
        return settings.tickets.attachments_per_ticket
    rows = session.scalars(
        select(TicketAttachment.content_type).where(TicketAttachment.ticket_id == ticket.id)
    ).all()
    used = sum(1 for content_type in rows if content_type != "message/rfc822")
    return max(settings.tickets.attachments_per_ticket - used, 0)


def _account(session: Session, address: str) -> UserInfo | None:
    user = session.scalars(select(User).where(User.email == address)).first()
    return UserInfo.of(user) if user is not None and user.active else None


def _draft(mail: ParsedMail, body: str) -> TicketDraft:
    subject = " ".join(mail.subject.split())[:SUBJECT_MAX]
    first_line = next((line.strip() for line in body.split("\n") if line.strip()), "")
    subject = (
        subject
        or first_line[:SUBJECT_MAX]
        or ("بلا موضوع" if mail.lang == "ar" else "(no subject)")
    )
    return TicketDraft(
        subject=subject,
        body=body or subject,
        lang=mail.lang,
        visitor_name=(mail.sender_name or mail.sender.partition("@")[0])[:200],
        visitor_email=mail.sender,
    )


def _original_name(mail: ParsedMail, now: dt.datetime) -> str:
    return f"mail-{now:%Y%m%d-%H%M%S}.eml"


def _report_files(
    session: Session,
    settings: Settings,
    mail: ParsedMail,
    ticket: Ticket,
    refused: tuple[tuple[str, str], ...],
    now: dt.datetime,
) -> None:
    if not refused:
        return
    notice = refused_files_mail(
        mail.sender,
        mail.lang,
        reference=ticket.reference,
        refused=refused,
        max_mb=settings.tickets.attachment_max_bytes // (1024 * 1024) or 1,
    )
    enqueue(session, with_reply_route(notice, settings.tickets, ticket), now=now)


def _reply_target(
    session: Session, settings: Settings, mail: ParsedMail
) -> tuple[Ticket, bool] | None:
    """The ticket a genuine token names, and whether the sender is the one it was sent to."""
    texts = [*mail.recipients, mail.headers.get(TOKEN_HEADER.lower(), "")]
    texts += [*mail.in_reply_to, *mail.references]
    for token in find_tokens(texts):
        ticket = load_by_id(session, token.ticket_id)
        if ticket is None:
            continue
        issued_to = token_for(settings.tickets, token, participants(ticket))
        if issued_to is not None:
            return ticket, mail.sender in participants(ticket)
    return None


def _decide(
    session: Session, settings: Settings, mail: ParsedMail, raw: bytes, now: dt.datetime
) -> Taken:
    reason = automatic_reason(mail, settings, session)
    if reason is not None:
        log.info("mail %s from %s ignored: %s", mail.message_id, mail.sender, reason)
        return Taken(IGNORED, reason)
    hits = count_hit(session, f"mailin:{mail.sender}", amount=1, window=3600, now=now)
    if hits > settings.mailin.sender_hourly_limit:
        return Taken(DEFERRED, "hourly limit of this sender")
    body = trim_reply(mail.text)
    target = _reply_target(session, settings, mail)
    if target is not None:
        ticket, from_participant = target
        if not from_participant:
            add_mail_note(session, ticket, sender=mail.sender, body=body, now=now)
            keep_original(
                session,
                settings.tickets,
                ticket.id,
                filename=_original_name(mail, now),
                data=raw,
                now=now,
            )
            return Taken(NOTED, "sender is not on the ticket", ticket.reference, ticket.id)
        if takes_replies(ticket):
            files, refused = _checked_files(
                settings, mail.attachments, _room(session, settings, ticket)
            )
            sender = _account(session, mail.sender) if ticket.requester_id else None
            add_mail_reply(
                session, settings.tickets, ticket, sender, body=body, files=files, now=now
            )
            keep_original(
                session,
                settings.tickets,
                ticket.id,
                filename=_original_name(mail, now),
                data=raw,
                now=now,
            )
            _report_files(session, settings, mail, ticket, refused, now)
            return Taken(REPLIED, None, ticket.reference, ticket.id)
    requester = _account(session, mail.sender)
    files, refused = _checked_files(settings, mail.attachments, _room(session, settings, None))
    try:
        result = open_ticket_by_mail(
            session,
            settings.tickets,
            requester=requester,
            draft=_draft(mail, body),
            files=files,
            now=now,
        )
    except LoginRequired:
        link = settings.tickets.public_url.rstrip("/") + "/tickets/new"
        enqueue(
            session, refusal_mail(mail.sender, mail.lang, subject=mail.subject, link=link), now=now
        )
        return Taken(REFUSED, "visitor tickets are switched off")
    except ValidationError as exc:
        log.warning("mail %s from %s refused: %s", mail.message_id, mail.sender, exc.message)
        return Taken(REFUSED, f"{exc.field}: {exc.message}"[:200])
    opened = result.ticket
    keep_original(
        session, settings.tickets, opened.id, filename=_original_name(mail, now), data=raw, now=now
    )
    # The ticket-received mail (with its reply token) was queued by the ticket service.
    if refused:  # rare: only then is the ticket loaded again, for the report's reply route
        loaded = session.get(Ticket, opened.id)
        assert loaded is not None
        _report_files(session, settings, mail, loaded, refused, now)
    return Taken(OPENED, None, opened.reference, opened.id)


def take_mail(
    sessions: sessionmaker[Session],
    settings: Settings,
    raw: bytes,
    *,
    envelope_sender: str | None = None,
    envelope_recipients: tuple[str, ...] = (),
    now: dt.datetime,
) -> Taken:
    """Take one raw message in, once: a second copy of the same Message-ID is a duplicate.
    Raises only when the database fails (the caller then answers "try again later")."""
    mail = parse_mail(raw, envelope_sender=envelope_sender, envelope_recipients=envelope_recipients)
    try:
        with transaction(sessions) as session:
            if session.scalar(select(InboundMail.id).where(InboundMail.key == mail.key)):
                return Taken(DUPLICATE)
            try:
                taken = _decide(session, settings, mail, raw, now)
            except TicketError as exc:  # a rule refused it: roll back what it did, then record
                log.warning("mail %s from %s refused: %s", mail.message_id, mail.sender, exc)
                raise _Refused(str(exc)[:200]) from exc
            if taken.outcome != DEFERRED:  # deferred: not recorded, it comes back later
                session.add(_row(mail, taken, now))
                session.flush()  # a concurrent copy taken first stops this one here
            return taken
    except _Refused as refused:
        return _record_refusal(sessions, mail, refused.reason, now)
    except IntegrityError as exc:
        return _duplicate_or_raise(sessions, mail, exc)


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _row(mail: ParsedMail, taken: Taken, now: dt.datetime) -> InboundMail:
    return InboundMail(
        key=mail.key,
        message_id=(mail.message_id or "")[:255] or None,
        sender=(mail.sender or mail.envelope_sender or "")[:320],
        outcome=taken.outcome,
        # Reasons quote headers (Auto-Submitted, Precedence) and addresses of any length:
        # PostgreSQL refused one beyond the column, failing the message on every try.
        reason=taken.reason[:200] if taken.reason is not None else None,
        ticket_id=taken.ticket_id,
        received_at=now,
    )


def _record_refusal(
    sessions: sessionmaker[Session], mail: ParsedMail, reason: str, now: dt.datetime
) -> Taken:
    taken = Taken(REFUSED, reason)
    try:
        with transaction(sessions) as session:
            session.add(_row(mail, taken, now))
    except IntegrityError as exc:
        return _duplicate_or_raise(sessions, mail, exc)
    return taken


def _duplicate_or_raise(
    sessions: sessionmaker[Session], mail: ParsedMail, conflict: IntegrityError
) -> Taken:
    """Only a concurrent copy of the same message is a duplicate; any other conflict is
    raised, so the sender is told to try again and nothing is lost."""
    with sessions() as session:
        if session.scalar(select(InboundMail.id).where(InboundMail.key == mail.key)):
            return Taken(DUPLICATE)
    raise conflict


def is_transient(exc: BaseException) -> bool:
    """Whether taking a message in failed for a reason that passes (the database or the disk
    away, a conflict): try it again later. Anything else is the message's own (a malformed
    part, a bug it triggers) and would fail the same way on every try."""
    if isinstance(exc, DataError):  # a value this database refuses: the message's own
        return False
    return isinstance(exc, SQLAlchemyError | OSError)


def record_failure(
    sessions: sessionmaker[Session], raw: bytes, error: str, *, now: dt.datetime
) -> None:
    """Record that ``raw`` could not be taken in (outcome ``failed``), once: the listener and
    the poller then count it as taken before, not as new mail to try forever. May raise when
    the database fails (the caller then leaves the message for later)."""
    try:
        mail = parse_mail(raw)
        key, message_id, sender = mail.key, mail.message_id, mail.sender
    except Exception:  # the parser itself: fall back to the bytes
        key, message_id, sender = hashlib.sha256(raw).hexdigest(), None, ""
    try:
        with transaction(sessions) as session:
            if session.scalar(select(InboundMail.id).where(InboundMail.key == key)):
                return
            session.add(
                InboundMail(
                    key=key,
                    message_id=(message_id or "")[:255] or None,
                    sender=sender[:320],
                    outcome=FAILED,
                    reason=error[:200],
                    received_at=now,
                )
            )
    except IntegrityError:
        return  # recorded at the same moment by another taker
