"""Content health: why an article needs a knowledge manager's attention.

One open ``ArticleAttention`` row per (article, lang, reason); raising it again bumps its count
and refreshes its detail. A signal that keeps firing after a knowledge manager resolved it
(the same unhelpful votes, the same passed review date) is not raised again unless there is
evidence newer than the resolution (``evidence_at``).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal.kb.models import Article, KbError
from portal.kb.tables import ArticleAttention

REASONS = ("unhelpful", "reopened", "agent_flag", "review_due", "golden_lost", "translation_stale")
MAX_DETAIL = 2000


class AttentionNotFound(KbError):
    """No open attention row with that id."""


@dataclass(frozen=True)
class AttentionView:
    id: int
    article_id: str
    lang: str | None
    reason: str
    detail: str
    count: int
    created_at: dt.datetime
    notified_at: dt.datetime | None
    resolved_at: dt.datetime | None


def _view(row: ArticleAttention) -> AttentionView:
    return AttentionView(
        row.id,
        row.article_id,
        row.lang,
        row.reason,
        row.detail,
        row.count,
        row.created_at,
        row.notified_at,
        row.resolved_at,
    )


def _serialize(session: Session, article_id: str, lang: str | None, reason: str) -> None:
    """On PostgreSQL, one raiser at a time per key, so two never both insert an open row.

    SQLite needs nothing: Sanad's SQLite transactions begin IMMEDIATE (one writer at a time).
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"attention:{article_id}:{lang}:{reason}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _open_row(
    session: Session, article_id: str, lang: str | None, reason: str
) -> ArticleAttention | None:
    lang_is = ArticleAttention.lang.is_(None) if lang is None else ArticleAttention.lang == lang
    return session.scalars(
        select(ArticleAttention)
        .where(
            ArticleAttention.article_id == article_id,
            lang_is,
            ArticleAttention.reason == reason,
            ArticleAttention.resolved_at.is_(None),
        )
        .with_for_update()
    ).first()


def raise_attention(
    session: Session,
    *,
    article_id: str,
    lang: str | None,
    reason: str,
    detail: str,
    now: dt.datetime,
    count: int | None = None,
    evidence_at: dt.datetime | None = None,
) -> tuple[AttentionView, bool] | None:
    """Open (or bump) the row for this article, language and reason; True when new.

    ``count`` sets the count (a scan's measured value) instead of adding one. Returns None
    when a knowledge manager resolved the same signal after ``evidence_at``: nothing new.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown attention reason {reason!r}")
    _serialize(session, article_id, lang, reason)
    detail = detail.strip()[:MAX_DETAIL]
    row = _open_row(session, article_id, lang, reason)
    if row is not None:
        row.count = count if count is not None else row.count + 1
        row.detail = detail or row.detail
        session.flush()
        return _view(row), False
    if evidence_at is not None:
        resolved = last_resolved(session, article_id, lang, reason)
        if resolved is not None and resolved >= evidence_at:
            return None
    row = ArticleAttention(
        article_id=article_id,
        lang=lang,
        reason=reason,
        detail=detail,
        count=count if count is not None else 1,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _view(row), True


def resolve_attention(
    session: Session, attention_id: int, *, resolver_id: int | None, now: dt.datetime
) -> AttentionView:
    """Mark an open row handled; raises AttentionNotFound for a missing or resolved one."""
    row = session.scalars(
        select(ArticleAttention)
        .where(ArticleAttention.id == attention_id, ArticleAttention.resolved_at.is_(None))
        .with_for_update()
    ).first()
    if row is None:
        raise AttentionNotFound(f"no open attention row {attention_id}")
    row.resolved_at = now
    row.resolved_by_id = resolver_id
    session.flush()
    return _view(row)


def resolve_open(
    session: Session, *, reason: str, keep: Iterable[tuple[str, str | None]], now: dt.datetime
) -> int:
    """Resolve open rows of ``reason`` whose (article, lang) is not in ``keep`` any more.

    For signals read from the files (a review date moved forward, a translation caught up).
    """
    wanted = set(keep)
    rows = session.scalars(
        select(ArticleAttention).where(
            ArticleAttention.reason == reason, ArticleAttention.resolved_at.is_(None)
        )
    ).all()
    done = 0
    for row in rows:
        if (row.article_id, row.lang) not in wanted:
            row.resolved_at = now
            done += 1
    session.flush()
    return done


def last_resolved(
    session: Session, article_id: str, lang: str | None, reason: str
) -> dt.datetime | None:
    """When a row of this key was last resolved (None: never)."""
    lang_is = ArticleAttention.lang.is_(None) if lang is None else ArticleAttention.lang == lang
    return session.scalar(
        select(func.max(ArticleAttention.resolved_at)).where(
            ArticleAttention.article_id == article_id,
            lang_is,
            ArticleAttention.reason == reason,
        )
    )


def get_attention(session: Session, attention_id: int) -> AttentionView:
    row = session.get(ArticleAttention, attention_id)
    if row is None:
        raise AttentionNotFound(f"no attention row {attention_id}")
    return _view(row)


def list_open(session: Session, *, article_id: str | None = None) -> list[AttentionView]:
    """Open rows, the newest first."""
    stmt = select(ArticleAttention).where(ArticleAttention.resolved_at.is_(None))
    if article_id is not None:
        stmt = stmt.where(ArticleAttention.article_id == article_id)
    rows = session.scalars(
        stmt.order_by(ArticleAttention.created_at.desc(), ArticleAttention.id.desc())
    ).all()
    return [_view(row) for row in rows]


def unnotified(session: Session) -> list[AttentionView]:
    """Open rows whose owner has not been mailed yet, the oldest first."""
    rows = session.scalars(
        select(ArticleAttention)
        .where(ArticleAttention.resolved_at.is_(None), ArticleAttention.notified_at.is_(None))
        .order_by(ArticleAttention.created_at, ArticleAttention.id)
    ).all()
    return [_view(row) for row in rows]


def mark_notified(session: Session, attention_id: int, *, now: dt.datetime) -> bool:
    """Record that the owner was mailed; False when another run already did."""
    row = session.get(ArticleAttention, attention_id, with_for_update=True)
    if row is None or row.notified_at is not None:
        return False
    row.notified_at = now
    session.flush()
    return True


def review_due(articles: Iterable[Article], today: dt.date) -> list[Article]:
    """Published articles whose ``review_by`` date has passed."""
    return [
        a
        for a in articles
        if a.status == "published" and a.review_by is not None and a.review_by < today
    ]
