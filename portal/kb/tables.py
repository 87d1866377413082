"""Knowledge-lifecycle tables: drafts and their review trail, votes, attention flags.

CONTRACT (owned by portal.kb; migration 0004). Article content never lives here: a draft's
text is the tip of its git branch (``refs/heads/drafts/<id>``); these rows hold the workflow
state around it. ``users.id`` is referred to by table name (portal.kb sits beside
portal.accounts and does not import it).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UtcDateTime, intpk, utcnow

DRAFT_STATUSES = ("draft", "review", "published", "discarded")


def _empty_list() -> list[str]:
    return []


class Draft(Base):
    """One proposed change to one article in one language (or a new article)."""

    __tablename__ = "drafts"
    __table_args__ = (
        Index("ix_drafts_status_updated", "status", "updated_at"),
        Index("ix_drafts_article", "article_id", "lang"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # also the branch name
    article_id: Mapped[str] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(5))
    path: Mapped[str] = mapped_column(String(500))  # relative to the articles directory
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="article")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    is_new: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(200))
    author_email: Mapped[str] = mapped_column(String(254))
    # The published version (last commit touching the file on the live branch) the draft was
    # started from; None for a new article. Approval refuses when the live file moved since.
    published_base: Mapped[str | None] = mapped_column(String(40))
    # The draft branch's tip as last written (git's ref is the truth; this is for listings).
    head: Mapped[str] = mapped_column(String(40))
    # Tickets a promoted draft came from (their references, e.g. ["HD-000123"]).
    source_tickets: Mapped[list[str]] = mapped_column(JSON, default=_empty_list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_name: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    published_commit: Mapped[str | None] = mapped_column(String(40))


class DraftEvent(Base):
    """The review trail of a draft: created, saved, submitted, changes requested, approved…"""

    __tablename__ = "draft_events"

    id: Mapped[intpk]
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str | None] = mapped_column(Text)
    commit: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ArticleVote(Base):
    """ "Was this helpful?": one vote per visitor and article language version (re-voting
    changes it). ``visitor`` is the anonymous per-browser id, or ``user:<id>`` when logged in."""

    __tablename__ = "article_votes"
    __table_args__ = (UniqueConstraint("article_id", "lang", "visitor"),)

    id: Mapped[intpk]
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    visitor: Mapped[str] = mapped_column(String(80))
    helpful: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ArticleAttention(Base):
    """Why an article needs a knowledge manager's attention; open while ``resolved_at`` is None.

    ``reason``: ``unhelpful`` | ``reopened`` | ``agent_flag`` | ``review_due`` |
    ``golden_lost`` | ``translation_stale``. At most one open row per (article, lang, reason).
    ``notified_at`` is set once the owner has been mailed, so a crash before the send leaves
    the mail to the next run instead of losing it.
    """

    __tablename__ = "article_attention"
    __table_args__ = (Index("ix_article_attention_open", "resolved_at", "article_id"),)

    id: Mapped[intpk]
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    lang: Mapped[str | None] = mapped_column(String(5))
    reason: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    count: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    notified_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
