"""Rate-limit counters in the application's own database, so a limit holds across workers and
hosts without Redis.

One row per key and fixed window: ``count`` requests seen since the window opened, and the
moment the window closes. A hit is one atomic ``INSERT … ON CONFLICT DO UPDATE … RETURNING``:
PostgreSQL locks the row on conflict, SQLite serialises writers at ``BEGIN IMMEDIATE``
(``portal.db``), so two workers never read the same count. An expired row is reset by the next
hit on its key and deleted by ``drop_expired`` (the web layer calls it now and then).

This lives in ``portal.accounts`` because the limits protect people's accounts and the ticket
desk from one abusive person or address (like the lock-out after failed log-ins), and because
the SQL belongs below the web layer; ``portal.web.rate_limit_storage`` adapts these functions
to the ``limits`` library that flask-limiter uses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import Integer, Result, String, case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.db import Base, UtcDateTime

KEY_LENGTH = 200
# A longer key (an e-mail address typed into the log-in form can be 320 characters) keeps a
# readable head and a digest of the whole, so distinct keys stay distinct and fit an index.
_HEAD = KEY_LENGTH - 65


class RateCounter(Base):
    """Requests counted for one limit key in its current fixed window."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)


def stored_key(key: str) -> str:
    """``key`` as stored: unchanged when it fits, else its head and a SHA-256 of all of it."""
    if len(key) <= KEY_LENGTH:
        return key
    return key[:_HEAD] + "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def _upsert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(
        f"rate-limit counters need SQLite or PostgreSQL, not {dialect}; "
        "set SANAD_RATELIMIT_STORAGE_URL to a redis:// URL instead"
    )


def count_hit(session: Session, key: str, *, amount: int, window: int, now: dt.datetime) -> int:
    """Add ``amount`` to ``key``'s window (opening a new one of ``window`` seconds when there
    is none or it has closed) and return the count after the hit."""
    insert = _upsert(session)
    table = RateCounter.__table__
    closes = now + dt.timedelta(seconds=window)
    at = literal(now, UtcDateTime())
    expired = table.c.expires_at <= at
    stmt = insert(table).values(key=stored_key(key), count=amount, expires_at=closes)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((expired, amount), else_=table.c.count + amount),
            "expires_at": case((expired, literal(closes, UtcDateTime())), else_=table.c.expires_at),
        },
    ).returning(table.c.count)
    return int(session.execute(stmt).scalar_one())


def current_count(session: Session, key: str, *, now: dt.datetime) -> int:
    """Requests counted in ``key``'s open window (0 when it has none)."""
    count = session.scalar(
        select(RateCounter.count).where(
            RateCounter.key == stored_key(key), RateCounter.expires_at > now
        )
    )
    return int(count or 0)


def window_end(session: Session, key: str, *, now: dt.datetime) -> dt.datetime | None:
    """When ``key``'s open window closes, or None when it has none."""
    return session.scalar(
        select(RateCounter.expires_at).where(
            RateCounter.key == stored_key(key), RateCounter.expires_at > now
        )
    )


def clear_counter(session: Session, key: str) -> None:
    """Forget ``key``'s window (an administrator lifting one limit)."""
    session.execute(delete(RateCounter).where(RateCounter.key == stored_key(key)))


def clear_counters(session: Session) -> int:
    """Forget every window; returns how many there were."""
    return _rows(session.execute(delete(RateCounter)))


def drop_expired(session: Session, *, now: dt.datetime) -> int:
    """Delete windows that have closed, so the table holds only live keys."""
    return _rows(session.execute(delete(RateCounter).where(RateCounter.expires_at <= now)))


def _rows(result: Result[Any]) -> int:
    # A DELETE's result is a CursorResult at run time; the Session API types it as Result.
    return int(getattr(result, "rowcount", 0) or 0)
