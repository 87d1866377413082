"""Usage events (search, view, vote, ticket) that reports build the deflection funnel from.

Recorded from the first release so the later reports have history to work with. Writing an
event must never break the page that triggered it, so callers log and swallow failures.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import threading
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import JSON, Index, Integer, String, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from portal.db import Base, UtcDateTime, intpk, transaction, utcnow

log = logging.getLogger(__name__)

EVENT_KINDS = ("search", "view", "vote", "suggest_click", "ticket")


class Event(Base):
    """One thing a visitor did: searched, viewed an article, voted, opened a ticket."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_kind_created", "kind", "created_at"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
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
    event = Event(
        **_row(kind, visitor, user_id, lang, query, hits, article_id, data, now or utcnow())
    )
    session.add(event)
    return event


def _row(
    kind: str,
    visitor: str | None,
    user_id: int | None,
    lang: str | None,
    query: str | None,
    hits: int | None,
    article_id: str | None,
    data: dict[str, Any] | None,
    now: dt.datetime,
) -> dict[str, Any]:
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    return {
        "kind": kind,
        "created_at": now,
        "visitor": visitor,
        "user_id": user_id,
        "lang": lang,
        "query": query[:500] if query else query,
        "hits": hits,
        "article_id": article_id,
        "data": data,
    }


# --- the per-process buffer (sanad serve) ------------------------------------------------------

BUFFER_EVENTS: Final = 200
BUFFER_SECONDS: Final = 1.0


class EventBuffer:
    """Usage events of one process, written in one multi-row INSERT instead of one each.

    One short ORM transaction per search cost about a third of a cached API search (the
    INSERT, its flush and the SQLite commit). ``sanad serve`` turns this buffer on in each
    worker: events are written when ``max_events`` are waiting, ``max_seconds`` after the
    first one (a timer thread), when the worker exits (gunicorn's ``worker_exit`` and
    ``atexit``), or by ``flush()``. The price: a worker that dies without exiting (SIGKILL,
    out of memory, gunicorn's timeout kill) loses the events of at most its last second.
    Only usage statistics are buffered; nothing a person needs back (tickets) goes through it.
    """

    def __init__(self, max_events: int = BUFFER_EVENTS, max_seconds: float = BUFFER_SECONDS):
        self.max_events = max_events
        self.max_seconds = max_seconds
        self._lock = threading.Lock()
        self._rows: list[dict[str, Any]] = []
        self._sessions: sessionmaker[Session] | None = None
        self._timer: threading.Timer | None = None

    def add(self, sessions: sessionmaker[Session], kind: str, **fields: Any) -> None:
        """Queue one event (same keywords as ``record_event``, without ``session``)."""
        row = _row(
            kind,
            fields.get("visitor"),
            fields.get("user_id"),
            fields.get("lang"),
            fields.get("query"),
            fields.get("hits"),
            fields.get("article_id"),
            fields.get("data"),
            fields.get("now") or utcnow(),
        )
        batches = []
        with self._lock:
            if self._sessions is not None and self._sessions is not sessions:
                batches.append(self._take_locked())  # another application's database: apart
            self._sessions = sessions
            self._rows.append(row)
            if len(self._rows) >= self.max_events:
                batches.append(self._take_locked())
            elif self._timer is None:
                self._timer = threading.Timer(self.max_seconds, self.flush)
                self._timer.daemon = True
                self._timer.start()
        for batch in batches:
            _write(*batch)

    def flush(self) -> None:
        """Write every queued event now."""
        with self._lock:
            batch = self._take_locked()
        _write(*batch)

    def pending(self) -> int:
        with self._lock:
            return len(self._rows)

    def _take_locked(self) -> tuple[sessionmaker[Session] | None, list[dict[str, Any]]]:
        # The rows leave the buffer under the lock; they are written outside it, so a slow or
        # locked database never makes the requests that add events wait for the buffer.
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        rows, self._rows = self._rows, []
        return self._sessions, rows


def _write(sessions: sessionmaker[Session] | None, rows: list[dict[str, Any]]) -> None:
    if not rows or sessions is None:
        return
    try:
        with transaction(sessions) as session:
            session.execute(insert(Event), rows)
    except Exception:  # statistics must never break a request or the worker's exit
        log.exception("could not write %d buffered events", len(rows))


_buffer: EventBuffer | None = None


def enable_buffer(
    max_events: int = BUFFER_EVENTS, max_seconds: float = BUFFER_SECONDS
) -> EventBuffer:
    """Buffer this process's usage events from now on (``sanad serve`` workers)."""
    global _buffer
    if _buffer is None:
        _buffer = EventBuffer(max_events, max_seconds)
        atexit.register(_buffer.flush)
    return _buffer


def active_buffer() -> EventBuffer | None:
    """The buffer ``enable_buffer`` started in this process, if any."""
    return _buffer


@dataclass(frozen=True)
class ViewCount:
    article_id: str
    views: int


def most_viewed(session: Session, *, since: dt.datetime, limit: int) -> tuple[ViewCount, ...]:
    """Article ids by number of ``view`` events since ``since``, most viewed first.

    Counted per id across languages, so an article read in Arabic and in English is one
    popular article; the page then shows the version in the reader's language.
    """
    views = func.count(Event.id).label("views")
    rows = session.execute(
        select(Event.article_id, views)
        .where(Event.kind == "view", Event.created_at >= since, Event.article_id.is_not(None))
        .group_by(Event.article_id)
        .order_by(views.desc(), Event.article_id)
        .limit(limit)
    ).all()
    return tuple(ViewCount(article_id=str(row[0]), views=int(row[1])) for row in rows)
