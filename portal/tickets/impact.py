"""What articles did for tickets: "resolved by article X" and "resolved N tickets".

A ticket counts as resolved by an article once a draft promoted from it was published
(``TicketPromotion.published_at``), or when it was resolved with the article linked
(``ticket_articles``, which publishing also fills for the source tickets).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.search.models import ArticleEntry, Visibility
from portal.search.services import SearchService
from portal.tickets.models import Ticket, TicketArticle, TicketPromotion

RESOLVED_STATUSES = ("resolved", "closed")


@dataclass(frozen=True)
class ResolvedBy:
    """An article published from this ticket."""

    article_id: str
    lang: str
    draft_id: str
    published_at: dt.datetime


def resolved_by(session: Session, reference: str) -> tuple[ResolvedBy, ...]:
    """Articles published from the ticket ``reference`` (promoted, then approved), oldest first.

    No access check: callers show it on a ticket page they already let the viewer see.
    """
    rows = session.execute(
        select(
            TicketPromotion.article_id,
            TicketPromotion.lang,
            TicketPromotion.draft_id,
            TicketPromotion.published_at,
        )
        .join(Ticket, Ticket.id == TicketPromotion.ticket_id)
        .where(
            Ticket.reference == reference.strip().upper(),
            TicketPromotion.published_at.is_not(None),
        )
        .order_by(TicketPromotion.published_at, TicketPromotion.id)
    ).all()
    seen: set[str] = set()
    out: list[ResolvedBy] = []
    for article_id, lang, draft_id, published_at in rows:
        if article_id not in seen and published_at is not None:
            seen.add(article_id)
            out.append(ResolvedBy(article_id, lang, draft_id, published_at))
    return tuple(out)


def resolved_by_entries(
    session: Session, search: SearchService, viewer: UserInfo | None, reference: str
) -> tuple[ArticleEntry, ...]:
    """The articles of :func:`resolved_by` that ``viewer`` may read, for the ticket page.

    Staff also see internal articles; everyone else only public ones. Loaded by the view
    before the page renders, so no query runs inside the template.
    """
    visibility: Visibility = "internal" if viewer is not None and viewer.is_staff else "public"
    entries = (
        search.get_entry(item.article_id, item.lang, visibility=visibility)
        for item in resolved_by(session, reference)
    )
    return tuple(entry for entry in entries if entry is not None)


def resolved_count(session: Session, article_id: str) -> int:
    """How many resolved or closed tickets this article resolved (each ticket once)."""
    linked = (
        select(TicketArticle.ticket_id)
        .join(Ticket, Ticket.id == TicketArticle.ticket_id)
        .where(TicketArticle.article_id == article_id, Ticket.status.in_(RESOLVED_STATUSES))
    )
    promoted = select(TicketPromotion.ticket_id).where(
        TicketPromotion.article_id == article_id, TicketPromotion.published_at.is_not(None)
    )
    both = union(linked, promoted).subquery()
    return int(session.scalar(select(func.count()).select_from(both)) or 0)
