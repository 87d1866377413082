"""The processed-message table: each incoming message is taken once, by its Message-ID."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UtcDateTime, intpk

# What became of a message (``InboundMail.outcome``). ``failed``: intake crashed on it for a
# reason of its own (not the database's), recorded once so it is not taken again and again.
OPENED, REPLIED, NOTED, IGNORED, REFUSED = "opened", "replied", "noted", "ignored", "refused"
FAILED = "failed"


class InboundMail(Base):
    """One message taken in: its key (a digest of its Message-ID, or of its bytes when it
    has none) is unique, so the listener and the IMAP poller never take it twice."""

    __tablename__ = "mail_inbound"

    id: Mapped[intpk]
    key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(255))
    sender: Mapped[str] = mapped_column(String(320))
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
