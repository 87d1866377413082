"""Usage events (search, view, vote, ticket) that reports build the deflection funnel from.

Recorded from the first release so the later reports have history to work with. Writing an
event must never break the page that triggered it, so callers log and swallow failures.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, intpk, utcnow

EVENT_KINDS = ("search", "view", "vote", "suggest_click", "ticket")


class Event(Base):
    """One thing a visitor did: searched, viewed an article, voted, opened a ticket."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_created", "kind", "created_at"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # An anonymous, random per-browser id kept in the session: lets the funnel follow one
    # visitor from search to ticket without identifying the person.
    visitor: Mapped[str | None] = mapped_column(String(64), index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    lang: Mapped[str | None] = mapped_column(String(5))
    query: Mapped[str | None] = mapped_column(String(500))
    hits: Mapped[int | None] = mapped_column(Integer)
    article_id: Mapped[str | None] = mapped_column(String(200), index=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


def record_event(
    session: Session,
    kind: str,
    *,
    visitor: str | None = None,
    user_id: int | None = None,
    lang: str | None = None,
    query: str | None = None,
    hits: int | None = None,
    article_id: str | None = None,
    data: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Event:
    """Add one event to ``session``; the caller's transaction commits it."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    event = Event(
        kind=kind,
        created_at=now or utcnow(),
        visitor=visitor,
        user_id=user_id,
        lang=lang,
        query=query[:500] if query else query,
        hits=hits,
        article_id=article_id,
        data=data,
    )
    session.add(event)
    return event
