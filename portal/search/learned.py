"""The learned associations (query → article) and their evidence, in the database, and the
snapshot the search service reads them from (docs/search.md, "Learning from use").

``learned_evidence`` keeps one row per (query, article, language, session), so folding the
same events twice counts nothing twice. ``learned_associations`` sums them: independent
sessions, the decayed weight as of ``weighed_at``, when last seen, and whether a knowledge
manager removed it (a removed association is never boosted and never comes back). The
rules of who may see or remove them live in ``portal.editorial.learning``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from sqlalchemy import Float, Index, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from portal.config import SearchSettings
from portal.db import Base, UtcDateTime, intpk
from portal.search import learning
from portal.search.learning import Evidence

log = logging.getLogger(__name__)

# How often a worker looks whether the associations changed (one tiny query).
REFRESH_SECONDS: Final = 30.0


class LearnedAssociation(Base):
    __tablename__ = "learned_associations"
    __table_args__ = (
        UniqueConstraint("query_key", "article_id", "lang"),
        Index("ix_learned_associations_sessions", "sessions"),
    )

    id: Mapped[intpk]
    query_key: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(500))  # one text as people typed it
    article_id: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(5))
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    votes: Mapped[int] = mapped_column(Integer, default=0)
    tickets: Mapped[int] = mapped_column(Integer, default=0)
    weight: Mapped[float] = mapped_column(Float, default=0.0)
    weighed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    first_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    removed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(Integer)
    removed_by_name: Mapped[str | None] = mapped_column(String(200))


class LearnedEvidence(Base):
    __tablename__ = "learned_evidence"
    __table_args__ = (UniqueConstraint("association_id", "session"),)

    id: Mapped[intpk]
    association_id: Mapped[int] = mapped_column(Integer, index=True)
    session: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(10))
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class LearningState(Base):
    """One row: how far the job has read, and a version bumped on every change."""

    __tablename__ = "learning_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learned_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)


def state(session: Session) -> LearningState:
    """The job's state row (created on first use)."""
    row = session.get(LearningState, 1)
    if row is None:
        row = LearningState(id=1, learned_until=None, version=0)
        session.add(row)
        session.flush()
    return row


def fold(
    session: Session,
    found: Iterable[Evidence],
    *,
    now: dt.datetime,
    half_life: dt.timedelta,
) -> int:
    """Add new evidence (a session already counted for an association adds nothing) and
    re-weigh the associations it touched; the number of new evidence rows."""
    added = 0
    touched: set[int] = set()
    for item in found:
        row = session.scalar(
            select(LearnedAssociation).where(
                LearnedAssociation.query_key == item.key,
                LearnedAssociation.article_id == item.article_id,
                LearnedAssociation.lang == item.lang,
            )
        )
        if row is None:
            row = LearnedAssociation(
                query_key=item.key,
                query=item.query,
                article_id=item.article_id,
                lang=item.lang,
                sessions=0,
                votes=0,
                tickets=0,
                weight=0.0,
                weighed_at=now,
                first_seen=item.seen_at,
                last_seen=item.seen_at,
            )
            session.add(row)
            session.flush()
        if row.removed_at is not None:
            continue  # removed by a knowledge manager: old or new events never bring it back
        known = session.scalar(
            select(LearnedEvidence.id).where(
                LearnedEvidence.association_id == row.id,
                LearnedEvidence.session == item.session[:100],
            )
        )
        if known is not None:
            continue
        session.add(
            LearnedEvidence(
                association_id=row.id,
                session=item.session[:100],
                source=item.source,
                seen_at=item.seen_at,
            )
        )
        session.flush()
        added += 1
        touched.add(row.id)
    for association_id in touched:
        _reweigh(session, association_id, now, half_life)
    if added:
        state(session).version += 1
    session.flush()
    return added


def _reweigh(
    session: Session, association_id: int, now: dt.datetime, half_life: dt.timedelta
) -> None:
    row = session.get(LearnedAssociation, association_id)
    assert row is not None
    evidence = session.scalars(
        select(LearnedEvidence).where(LearnedEvidence.association_id == association_id)
    ).all()
    row.sessions = len(evidence)
    row.votes = sum(1 for e in evidence if e.source == "vote")
    row.tickets = sum(1 for e in evidence if e.source == "ticket")
    row.weight = learning.weight([e.seen_at for e in evidence], now, half_life)
    row.weighed_at = now
    row.first_seen = min(e.seen_at for e in evidence)
    row.last_seen = max(e.seen_at for e in evidence)


@dataclass(frozen=True)
class Learned:
    """One association as the snapshot keeps it."""

    article_id: str
    lang: str
    sessions: int
    weight: float
    weighed_at: dt.datetime


class LearnedStore:
    """The associations a worker's searches blend in: a snapshot of the active ones (enough
    sessions, not removed), reloaded when the job or a knowledge manager changed them."""

    def __init__(self, sessions: sessionmaker[Session], settings: SearchSettings) -> None:
        self.sessions = sessions
        self.settings = settings
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._refreshing: threading.Thread | None = None
        self._closed = False
        self._version: int | None = None
        self._by_key: dict[str, tuple[Learned, ...]] = {}

    def version(self) -> int:
        """The associations' version. At most every ``REFRESH_SECONDS`` a background thread
        looks for a newer one, so a search never waits for the database (a stalled database
        only leaves the last snapshot in use)."""
        with self._lock:
            due = time.monotonic() - self._checked >= REFRESH_SECONDS
            if due and self._refreshing is None and not self._closed:
                self._checked = time.monotonic()
                self._refreshing = threading.Thread(
                    target=self._refresh_in_background, name="sanad-learned", daemon=True
                )
                self._refreshing.start()
            return self._version or 0

    def _refresh_in_background(self) -> None:
        try:
            self.refresh()
        finally:
            with self._lock:
                self._refreshing = None

    def close(self, timeout: float = 10.0) -> None:
        """Start no more refreshes and wait for the running one, so that its connection is
        back in the pool before the engine is disposed (or its schema dropped)."""
        with self._lock:
            self._closed = True
            running = self._refreshing
        if running is not None:
            running.join(timeout)

    def refresh(self) -> None:
        """Reload the snapshot now if the associations changed (the job and the remove
        button call this in their own process)."""
        try:
            with self.sessions() as session:
                version = session.scalar(select(LearningState.version).where(LearningState.id == 1))
                if version is not None and version == self._version:
                    return
                rows = session.scalars(
                    select(LearnedAssociation).where(
                        LearnedAssociation.removed_at.is_(None),
                        LearnedAssociation.sessions >= self.settings.learn_min_sessions,
                    )
                ).all()
                by_key: dict[str, list[Learned]] = {}
                for row in rows:
                    by_key.setdefault(row.query_key, []).append(
                        Learned(row.article_id, row.lang, row.sessions, row.weight, row.weighed_at)
                    )
        except Exception as error:  # no table yet, database away: search keeps what it has
            log.warning("learned associations not refreshed: %s", str(error).split("\n")[0])
            return
        with self._lock:
            self._by_key = {key: tuple(found) for key, found in by_key.items()}
            self._version = version or 0
            self._checked = time.monotonic()

    def boosts(self, text: str, now: dt.datetime) -> dict[str, float]:
        """Index key (``<lang>/<id>``) → share of the top score, for this query text."""
        self.version()
        with self._lock:
            found = self._by_key.get(learning.query_key(text), ())
        out: dict[str, float] = {}
        for item in found:
            share = learning.fraction(
                item.sessions,
                item.weight,
                item.weighed_at,
                now,
                min_sessions=self.settings.learn_min_sessions,
                max_boost=self.settings.learn_max_boost,
                half_life=self.settings.learn_half_life,
            )
            if share > 0:
                out[f"{item.lang}/{item.article_id}"] = share
        return out
