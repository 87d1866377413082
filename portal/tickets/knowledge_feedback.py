"""What tickets tell the knowledge managers about articles: agents' flags ("this article
should have answered it"), how many tickets each article resolved, and reopened tickets,
which put the articles linked to them on the attention list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User, UserInfo
from portal.kb import health
from portal.tickets.access import check_may_work
from portal.tickets.history import record_change
from portal.tickets.models import ArticleFlag, Ticket, TicketArticle, TicketHistory
from portal.tickets.validation import valid_article_id, valid_text
from portal.tickets.values import ArticleFlagInfo


def flag_article(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    article_id: str,
    reason: str,
    now: dt.datetime,
) -> ArticleFlagInfo:
    """ "This article should have answered it": a row for the knowledge managers' queue."""
    ticket = check_may_work(session, viewer, reference, "flag_article")
    assert viewer is not None
    flag = ArticleFlag(
        ticket_id=ticket.id,
        article_id=valid_article_id(article_id),
        reason=valid_text("reason", reason, 2000),
        flagged_by_id=viewer.id,
        created_at=now,
    )
    session.add(flag)
    record_change(
        session, ticket, viewer, "flag_article", now, new=flag.article_id, note=flag.reason
    )
    session.flush()
    # The knowledge managers' "needs attention" list, in the same transaction.
    health.raise_attention(
        session,
        article_id=flag.article_id,
        lang=None,
        reason="agent_flag",
        detail=f"{ticket.reference} ({viewer.name}): {flag.reason}",
        now=now,
    )
    return ArticleFlagInfo(
        flag.id, ticket.reference, flag.article_id, flag.reason, viewer.name, flag.created_at, None
    )


def list_article_flags(
    session: Session, *, article_id: str | None = None, open_only: bool = True
) -> tuple[ArticleFlagInfo, ...]:
    """Flags for the knowledge managers' review queue, oldest first."""
    stmt = (
        select(ArticleFlag, Ticket.reference, User.name)
        .join(Ticket, Ticket.id == ArticleFlag.ticket_id)
        .outerjoin(User, User.id == ArticleFlag.flagged_by_id)
    )
    if article_id:
        stmt = stmt.where(ArticleFlag.article_id == article_id)
    if open_only:
        stmt = stmt.where(ArticleFlag.handled_at.is_(None))
    rows = session.execute(stmt.order_by(ArticleFlag.created_at, ArticleFlag.id)).all()
    return tuple(
        ArticleFlagInfo(f.id, ref, f.article_id, f.reason, name or "", f.created_at, f.handled_at)
        for f, ref, name in rows
    )


def article_link_counts(
    session: Session, article_ids: Sequence[str] | None = None
) -> dict[str, int]:
    """How many tickets each article resolved (was linked to)."""
    stmt = select(TicketArticle.article_id, func.count()).group_by(TicketArticle.article_id)
    if article_ids is not None:
        stmt = stmt.where(TicketArticle.article_id.in_(list(article_ids)))
    return {article: int(count) for article, count in session.execute(stmt).all()}


def article_reopens(session: Session, article_id: str, *, since: dt.datetime | None = None) -> int:
    """How often tickets resolved with this article were reopened after it was linked."""
    stmt = (
        select(func.count())
        .select_from(TicketHistory)
        .join(TicketArticle, TicketArticle.ticket_id == TicketHistory.ticket_id)
        .where(
            TicketArticle.article_id == article_id,
            TicketHistory.action == "status",
            TicketHistory.old_value == "resolved",
            TicketHistory.new_value == "open",
            TicketHistory.created_at >= TicketArticle.linked_at,
        )
    )
    if since is not None:
        stmt = stmt.where(TicketHistory.created_at > since)
    return int(session.scalar(stmt) or 0)


def flag_reopened_articles(
    session: Session, ticket: Ticket, threshold: int, now: dt.datetime
) -> None:
    """Content health: count reopens of tickets each linked article resolved (docs/lifecycle.md)."""
    linked = session.scalars(
        select(TicketArticle.article_id).where(TicketArticle.ticket_id == ticket.id)
    ).all()
    for article_id in linked:
        since = health.last_resolved(session, article_id, None, "reopened")
        reopens = article_reopens(session, article_id, since=since)
        if reopens >= threshold:
            health.raise_attention(
                session,
                article_id=article_id,
                lang=None,
                reason="reopened",
                detail=f"{ticket.reference} (×{reopens})",
                count=reopens,
                now=now,
            )
