"""What admins see of outgoing mail and may do with it: the outbox (queued, sent, failed with
the server's answer; retry a failed message) and the local mailbox of a site without an SMTP
host. The role checks live here; ``/admin/outbox`` and ``/admin/mailbox`` parse and render."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.jobs.service import JobsForbidden
from portal.notify import mailbox
from portal.notify.outbox import FAILED, PENDING, QUEUED, SENT, OutboxMessage

STATUSES = (QUEUED, SENT, FAILED)
PAGE_SIZE = 50


class MailNotFound(LookupError):
    """No outbox row or mailbox mail has that number."""


class NotRetryable(ValueError):
    """Only a failed message can be retried."""


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    to: str
    subject: str
    lang: str
    message_id: str
    status: str
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None  # None once sent or given up
    created_at: dt.datetime
    sent_at: dt.datetime | None


@dataclass(frozen=True)
class OutboxPage:
    entries: tuple[OutboxEntry, ...]
    counts: tuple[tuple[str, int], ...]  # every status with its number of rows
    total: int  # rows matching the filters
    page: int
    pages: int


def _admin_only(viewer: UserInfo | None) -> UserInfo:
    if viewer is None or not viewer.active or "admin" not in viewer.roles:
        raise JobsForbidden("only admins see the mail")
    return viewer


def _entry(row: OutboxMessage) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        to=row.to_address,
        subject=row.subject,
        lang=row.lang,
        message_id=row.message_id,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at if row.status == QUEUED else None,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )


def list_outbox(
    session: Session,
    viewer: UserInfo | None,
    *,
    status: str = "",
    to: str = "",
    page: int = 1,
) -> OutboxPage:
    """The outbox, newest first, filtered by status and by (part of) the address."""
    _admin_only(viewer)
    conditions = []
    if status in STATUSES:
        conditions.append(OutboxMessage.status == status)
    if to.strip():
        conditions.append(func.lower(OutboxMessage.to_address).like(f"%{to.strip().lower()}%"))
    total = session.scalar(select(func.count(OutboxMessage.id)).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        select(OutboxMessage)
        .where(*conditions)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    found = dict(
        session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    counts = tuple((s, int(found.get(s, 0))) for s in STATUSES)
    return OutboxPage(tuple(_entry(r) for r in rows), counts, total, page, pages)


def retry(session: Session, viewer: UserInfo | None, row_id: int, *, now: dt.datetime) -> None:
    """Queue a failed message again, due at once, with a fresh count of attempts (its
    ``Message-ID`` stays: it is the same message)."""
    _admin_only(viewer)
    row = session.get(OutboxMessage, row_id)
    if row is None:
        raise MailNotFound(row_id)
    if row.status != FAILED:
        raise NotRetryable(row.status)
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == FAILED)
        .values(status=QUEUED, attempts=0, next_attempt_at=now)
    )
    session.info[PENDING] = True  # wake this process's sender


def list_mailbox(
    session: Session, viewer: UserInfo | None, *, to: str = "", page: int = 1
) -> mailbox.MailboxPage:
    _admin_only(viewer)
    return mailbox.list_mailbox(session, to=to, page=page)


def read_mail(session: Session, viewer: UserInfo | None, mail_id: int) -> mailbox.MailboxEntry:
    _admin_only(viewer)
    found = mailbox.get_mail(session, mail_id)
    if found is None:
        raise MailNotFound(mail_id)
    return found
