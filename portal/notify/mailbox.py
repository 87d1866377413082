"""The local mailbox: where mail goes when no SMTP host is set (the demo, ``make run``).

The outbox "delivers" a message by copying it into ``mailbox`` in the same transaction that
marks it sent, so a newcomer sees every mail the demo sends at ``/admin/mailbox``, and several
hosts share one mailbox (it lives in the database, not in one machine's folder).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Index, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, UtcDateTime, intpk, utcnow
from portal.notify.mail import OutgoingMail

PAGE_SIZE = 50


class MailboxMessage(Base):
    """One mail the site would have sent."""

    __tablename__ = "mailbox"
    __table_args__ = (Index("ix_mailbox_received_at", "received_at"),)

    id: Mapped[intpk]
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    sender: Mapped[str] = mapped_column(String(320))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(5))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


@dataclass(frozen=True)
class MailboxEntry:
    id: int
    message_id: str
    sender: str
    to: str
    subject: str
    text: str
    html: str | None
    lang: str
    received_at: dt.datetime

    @classmethod
    def of(cls, row: MailboxMessage) -> MailboxEntry:
        return cls(
            id=row.id,
            message_id=row.message_id,
            sender=row.sender,
            to=row.to_address,
            subject=row.subject,
            text=row.text_body,
            html=row.html_body,
            lang=row.lang,
            received_at=row.received_at,
        )


@dataclass(frozen=True)
class MailboxPage:
    entries: tuple[MailboxEntry, ...]
    total: int
    page: int
    pages: int


def store(session: Session, sender: str, mail: OutgoingMail, *, now: dt.datetime) -> None:
    """Keep ``mail`` in the mailbox (once per ``Message-ID``: a retried delivery is no copy)."""
    assert mail.message_id is not None
    found = session.scalar(
        select(MailboxMessage.id).where(MailboxMessage.message_id == mail.message_id)
    )
    if found is not None:
        return
    session.add(
        MailboxMessage(
            message_id=mail.message_id,
            sender=sender,
            to_address=mail.to,
            subject=mail.subject,
            text_body=mail.body,
            html_body=mail.html,
            lang=mail.lang,
            received_at=now,
        )
    )
    session.flush()


def list_mailbox(session: Session, *, to: str = "", page: int = 1) -> MailboxPage:
    """The newest mails first, ``PAGE_SIZE`` a page, optionally only those to ``to``."""
    query = select(MailboxMessage)
    counting = select(func.count(MailboxMessage.id))
    if to.strip():
        pattern = f"%{to.strip().lower()}%"
        query = query.where(func.lower(MailboxMessage.to_address).like(pattern))
        counting = counting.where(func.lower(MailboxMessage.to_address).like(pattern))
    total = session.scalar(counting) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        query.order_by(MailboxMessage.received_at.desc(), MailboxMessage.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return MailboxPage(tuple(MailboxEntry.of(r) for r in rows), total, page, pages)


def get_mail(session: Session, mail_id: int) -> MailboxEntry | None:
    row = session.get(MailboxMessage, mail_id)
    return MailboxEntry.of(row) if row is not None else None
