""" "Was this helpful?": one vote per visitor and article language version, and its summaries.

A visitor is the anonymous per-browser id of the session, or ``user:<id>`` for a signed-in
person (an API bearer token included). Voting again changes the vote: the row is upserted on
(article_id, lang, visitor), so nobody can stuff the count by clicking twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.kb.models import LANGS, KbError
from portal.kb.repository import is_slug
from portal.kb.tables import ArticleVote

MAX_REASON = 1000
MAX_VISITOR = 80
REASONS_SHOWN = 20  # reasons listed per article on the feedback page


class InvalidVote(KbError):
    """A vote that cannot be recorded; ``field`` names what is wrong, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class VoteView:
    article_id: str
    lang: str
    helpful: bool
    reason: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    changed: bool  # an earlier vote of the same visitor was replaced


@dataclass(frozen=True)
class VoteReason:
    helpful: bool
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class VoteSummary:
    """Votes on one language version of an article."""

    article_id: str
    lang: str
    yes: int
    no: int
    last_vote_at: dt.datetime
    reasons: tuple[VoteReason, ...] = ()

    @property
    def total(self) -> int:
        return self.yes + self.no

    @property
    def unhelpful_share(self) -> float:
        return self.no / self.total if self.total else 0.0


@dataclass(frozen=True)
class FeedbackPage:
    summaries: tuple[VoteSummary, ...]
    total: int  # articles with votes
    page: int
    per_page: int


def clean_vote(
    article_id: str, lang: str, visitor: str, helpful: object, reason: object
) -> tuple[bool, str | None]:
    """Validate a vote's fields; returns (helpful, reason or None)."""
    if not is_slug(article_id):
        raise InvalidVote("article_id", "Not an article.")
    if lang not in LANGS:
        raise InvalidVote("lang", "Choose ar or en.")
    if not visitor or len(visitor) > MAX_VISITOR:
        raise InvalidVote("visitor", "The visitor could not be identified.")
    if not isinstance(helpful, bool):
        raise InvalidVote("helpful", "Answer true (helpful) or false (not helpful).")
    if reason is not None and not isinstance(reason, str):
        raise InvalidVote("reason", "The reason must be text.")
    text = (reason or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > MAX_REASON:
        raise InvalidVote("reason", f"Keep the reason under {MAX_REASON} characters.")
    return helpful, text or None


def record_vote(
    session: Session,
    *,
    article_id: str,
    lang: str,
    visitor: str,
    helpful: object,
    reason: object = None,
    now: dt.datetime,
) -> VoteView:
    """Record or change this visitor's vote; a reason sent without one keeps the earlier one.

    The article must exist (the caller checks: the kb package does not read the index).
    """
    value, text = clean_vote(article_id, lang, visitor, helpful, reason)
    where = (
        ArticleVote.article_id == article_id,
        ArticleVote.lang == lang,
        ArticleVote.visitor == visitor,
    )
    vote = session.scalars(select(ArticleVote).where(*where).with_for_update()).first()
    changed = vote is not None
    if vote is None:
        try:
            with session.begin_nested():
                vote = ArticleVote(
                    article_id=article_id,
                    lang=lang,
                    visitor=visitor,
                    helpful=value,
                    reason=text,
                    created_at=now,
                    updated_at=now,
                )
                session.add(vote)
        except IntegrityError:
            # The same visitor's other request inserted first: change that row instead.
            vote = session.scalars(select(ArticleVote).where(*where).with_for_update()).one()
            changed = True
    if changed:
        if vote.helpful != value:
            vote.reason = text  # a new answer: the old reason no longer applies
        elif text is not None:
            vote.reason = text
        vote.helpful = value
        vote.updated_at = now
    session.flush()
    return VoteView(
        article_id, lang, vote.helpful, vote.reason, vote.created_at, vote.updated_at, changed
    )


def _summaries(
    session: Session, rows: Sequence[Row[str, str, Any, Any, dt.datetime]]
) -> list[VoteSummary]:
    found: list[VoteSummary] = []
    for article_id, lang, yes, no, last in rows:
        reasons = session.execute(
            select(ArticleVote.helpful, ArticleVote.reason, ArticleVote.updated_at)
            .where(
                ArticleVote.article_id == article_id,
                ArticleVote.lang == lang,
                ArticleVote.reason.is_not(None),
            )
            .order_by(ArticleVote.updated_at.desc(), ArticleVote.id.desc())
            .limit(REASONS_SHOWN)
        ).all()
        found.append(
            VoteSummary(
                article_id,
                lang,
                int(yes or 0),
                int(no or 0),
                last,
                tuple(VoteReason(h, r or "", at) for h, r, at in reasons),
            )
        )
    return found


def _grouped() -> Select[str, str, Any, Any, dt.datetime]:
    yes = func.sum(case((ArticleVote.helpful.is_(True), 1), else_=0))
    no = func.sum(case((ArticleVote.helpful.is_(False), 1), else_=0))
    last = func.max(ArticleVote.updated_at)
    return (
        select(ArticleVote.article_id, ArticleVote.lang, yes, no, last)
        .group_by(ArticleVote.article_id, ArticleVote.lang)
        .order_by(last.desc(), ArticleVote.article_id, ArticleVote.lang)
    )


def list_feedback(session: Session, *, page: int = 1, per_page: int = 20) -> FeedbackPage:
    """Articles with votes, the most recently voted first, each with its newest reasons."""
    page = max(1, page)
    per_page = max(1, min(per_page, 100))
    total = session.scalar(
        select(func.count()).select_from(
            select(ArticleVote.article_id, ArticleVote.lang)
            .group_by(ArticleVote.article_id, ArticleVote.lang)
            .subquery()
        )
    )
    rows = session.execute(_grouped().limit(per_page).offset((page - 1) * per_page)).all()
    summaries = _summaries(session, rows)
    return FeedbackPage(tuple(summaries), int(total or 0), page, per_page)


def vote_summaries(session: Session) -> list[VoteSummary]:
    """Every article language version's counts (no reasons), for the attention scan."""
    return [
        VoteSummary(a, lang, int(yes or 0), int(no or 0), last)
        for a, lang, yes, no, last in session.execute(_grouped()).all()
    ]


def last_unhelpful_at(session: Session, article_id: str, lang: str) -> dt.datetime | None:
    """When the newest "no" vote on this version was cast or changed."""
    return session.scalar(
        select(func.max(ArticleVote.updated_at)).where(
            ArticleVote.article_id == article_id,
            ArticleVote.lang == lang,
            ArticleVote.helpful.is_(False),
        )
    )
