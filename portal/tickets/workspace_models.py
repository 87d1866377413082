"""Tables of the agent workspace: each agent's saved queue views, and who is replying to a
ticket right now (presence, kept in the database so every worker and host sees it)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UtcDateTime, intpk, utcnow


def _empty() -> dict[str, str]:
    return {}


class SavedView(Base):
    """A named set of queue filters and sort, owned by one agent (names unique per agent)."""

    __tablename__ = "saved_views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_saved_views_user_id_name"),)

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # The queue's query-string parameters (status, priority, q, sort, dir...), as chosen.
    params: Mapped[dict[str, str]] = mapped_column(JSON, default=_empty)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TicketPresence(Base):
    """An agent has the reply box of a ticket open; the row counts while ``seen_at`` is
    recent (the page renews it every few seconds), so a closed tab fades out by itself."""

    __tablename__ = "ticket_presence"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
