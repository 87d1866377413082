"""The queries of the ticket reports: one pass over the tickets a filter selects, and what
each report needs of their history, messages and breaches, keyed by ticket id.

Grouped in SQL (counts per ticket), so a report reads one row per ticket, never one per
message or history entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.reports.filters import ReportFilter
from portal.tickets.models import (
    Ticket,
    TicketArticle,
    TicketHistory,
    TicketMessage,
    TicketPromotion,
    TicketViewedArticle,
)
from portal.tickets.sla_models import RootCauseCode, SlaEvent
from portal.tickets.states import ACTIVE_STATUSES

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TicketFact:
    """What the reports read of one ticket."""

    id: int
    reference: str
    subject: str
    created_at: dt.datetime
    status: str
    priority: str
    category: str | None
    channel: str
    team: str
    lang: str
    tier: int
    assignee_id: int | None
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    paused_us: int
    rating: int | None
    rating_comment: str | None
    rated_at: dt.datetime | None
    root_cause_code: str | None

    @property
    def solved(self) -> bool:
        """Resolved or closed now (a reopened ticket is neither until solved again)."""
        return self.status in ("resolved", "closed")


def scope(f: ReportFilter, *, dated: bool = True, timezone: str) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter on ``tickets`` (``dated``: opened within its days)."""
    clauses: list[ColumnElement[bool]] = []
    if dated:
        first, after = f.bounds(timezone)
        clauses += [Ticket.created_at >= first, Ticket.created_at < after]
    if f.team is not None:
        clauses.append(Ticket.team == f.team)
    if f.agent is not None:
        clauses.append(Ticket.assignee_id == f.agent)
    if f.category is not None:
        clauses.append(Ticket.category == f.category)
    if f.channel is not None:
        clauses.append(Ticket.channel == f.channel)
    if f.priority is not None:
        clauses.append(Ticket.priority == f.priority)
    if f.language is not None:
        clauses.append(Ticket.lang == f.language)
    return clauses


_COLUMNS = (
    Ticket.id,
    Ticket.reference,
    Ticket.subject,
    Ticket.created_at,
    Ticket.status,
    Ticket.priority,
    Ticket.category,
    Ticket.channel,
    Ticket.team,
    Ticket.lang,
    Ticket.tier,
    Ticket.assignee_id,
    Ticket.first_response_at,
    Ticket.resolved_at,
    Ticket.closed_at,
    Ticket.first_response_due,
    Ticket.resolution_due,
    Ticket.sla_paused_us,
    Ticket.rating,
    Ticket.rating_comment,
    Ticket.rated_at,
    Ticket.root_cause_code,
)


def load_tickets(
    session: Session, f: ReportFilter, *, timezone: str, dated: bool = True, active: bool = False
) -> list[TicketFact]:
    """The tickets the filter selects, oldest first (``active``: only those still open)."""
    clauses = scope(f, dated=dated, timezone=timezone)
    if active:
        clauses.append(Ticket.status.in_(ACTIVE_STATUSES))
    # Core rows (no ORM loading): a year's report reads a hundred thousand of them.
    rows = session.connection().execute(
        select(*_COLUMNS).where(and_(*clauses)).order_by(Ticket.created_at, Ticket.id)
    )
    facts: list[TicketFact] = []
    for row in rows:
        values: list[Any] = list(row)
        values[17] = int(values[17] or 0)
        facts.append(TicketFact(*values))
    return facts


def _ids(f: ReportFilter, timezone: str) -> Select[Any]:
    return select(Ticket.id).where(and_(*scope(f, timezone=timezone)))


def escalations(session: Session, f: ReportFilter, *, timezone: str) -> dict[int, list[int]]:
    """Ticket id → the tiers it was escalated from (one entry per escalation)."""
    rows = session.execute(
        select(TicketHistory.ticket_id, TicketHistory.old_value).where(
            TicketHistory.action == "escalate",
            TicketHistory.ticket_id.in_(_ids(f, timezone)),
        )
    ).all()
    out: dict[int, list[int]] = {}
    for ticket_id, old in rows:
        if old is not None and str(old).isascii() and str(old).isdigit():
            out.setdefault(int(ticket_id), []).append(int(old))
    return out


def reopens(session: Session, f: ReportFilter, *, timezone: str) -> dict[int, int]:
    """Ticket id → how many times it went from resolved back to open."""
    count = func.count(TicketHistory.id)
    rows = session.execute(
        select(TicketHistory.ticket_id, count)
        .where(
            TicketHistory.action == "status",
            TicketHistory.old_value == "resolved",
            TicketHistory.new_value == "open",
            TicketHistory.ticket_id.in_(_ids(f, timezone)),
        )
        .group_by(TicketHistory.ticket_id)
    ).all()
    return {int(t): int(n) for t, n in rows}


def staff_replies(session: Session, f: ReportFilter, *, timezone: str) -> dict[int, int]:
    """Ticket id → public replies written by someone other than its requester (the team)."""
    count = func.count(TicketMessage.id)
    rows = session.execute(
        select(TicketMessage.ticket_id, count)
        .join(Ticket, Ticket.id == TicketMessage.ticket_id)
        .where(
            TicketMessage.internal.is_(False),
            TicketMessage.author_id.is_not(None),
            (Ticket.requester_id.is_(None)) | (TicketMessage.author_id != Ticket.requester_id),
            TicketMessage.ticket_id.in_(_ids(f, timezone)),
        )
        .group_by(TicketMessage.ticket_id)
    ).all()
    return {int(t): int(n) for t, n in rows}


def breached_ids(session: Session, f: ReportFilter, *, timezone: str) -> set[int]:
    """Tickets with at least one recorded breach (any target)."""
    rows = session.scalars(
        select(SlaEvent.ticket_id)
        .where(SlaEvent.kind == "breach", SlaEvent.ticket_id.in_(_ids(f, timezone)))
        .distinct()
    ).all()
    return {int(t) for t in rows}


def root_cause_labels(session: Session) -> dict[str, tuple[str, str]]:
    """Code → (English label, Arabic label)."""
    rows = session.execute(
        select(RootCauseCode.code, RootCauseCode.label_en, RootCauseCode.label_ar)
    ).all()
    return {str(c): (str(en), str(ar)) for c, en, ar in rows}


def user_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(list(ids)))).all()
    return {int(i): str(n) for i, n in rows}


def linked_articles(session: Session, ticket_ids: Sequence[int]) -> dict[int, set[str]]:
    """Ticket id → articles linked to its resolution."""
    out: dict[int, set[str]] = {}
    for chunk in _chunks(ticket_ids):
        rows = session.execute(
            select(TicketArticle.ticket_id, TicketArticle.article_id).where(
                TicketArticle.ticket_id.in_(chunk)
            )
        ).all()
        for ticket_id, article_id in rows:
            out.setdefault(int(ticket_id), set()).add(str(article_id))
    return out


def viewed_articles(session: Session, ticket_ids: Sequence[int]) -> dict[int, set[str]]:
    """Ticket id → articles its requester read before opening it (the trail)."""
    out: dict[int, set[str]] = {}
    for chunk in _chunks(ticket_ids):
        rows = session.execute(
            select(TicketViewedArticle.ticket_id, TicketViewedArticle.article_id).where(
                TicketViewedArticle.ticket_id.in_(chunk)
            )
        ).all()
        for ticket_id, article_id in rows:
            out.setdefault(int(ticket_id), set()).add(str(article_id))
    return out


def promoted_since(session: Session, article_ids: Sequence[str]) -> dict[str, dt.datetime]:
    """Article id → when it was first published from a promoted ticket (articles written
    from tickets; every other article is taken to have been there before the tickets)."""
    out: dict[str, dt.datetime] = {}
    for chunk in _chunks(article_ids):
        rows = session.execute(
            select(TicketPromotion.article_id, func.min(TicketPromotion.published_at))
            .where(TicketPromotion.article_id.in_(chunk))
            .group_by(TicketPromotion.article_id)
        ).all()
        for article_id, published in rows:
            # Promoted but not published yet: not an answer anyone could have found.
            out[str(article_id)] = published or dt.datetime.max.replace(tzinfo=dt.UTC)
    return out


def _chunks(items: Sequence[T], size: int = 500) -> list[list[T]]:
    items = list(items)
    return [items[i : i + size] for i in range(0, len(items), size)]
