"""Learning from use, the job and the knowledge managers' side (docs/search.md).

``learn(session, settings, now)`` folds what happened since its last run into learned
associations: helpful votes after a search with no ticket afterwards (usage events), and
tickets opened after searches and resolved with linked articles (the ticket trail). It is
idempotent: each session counts once per association, and the job remembers how far it read.
``sanad search learn`` runs it; the job runner calls the same function.

Knowledge managers and admins list what was learned and remove an association; a removed one
is never boosted again and old or new events do not bring it back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import SearchSettings
from portal.events import Event
from portal.kb.models import KbError
from portal.search import learned
from portal.search.learned import LearnedAssociation
from portal.search.learning import (
    SESSION_WINDOW,
    SETTLE,
    ResolvedTicket,
    UsageEvent,
    tickets_evidence,
    votes_evidence,
)
from portal.tickets.models import Ticket, TicketArticle, TicketSearch

MANAGER_ROLES = frozenset({"knowledge_manager", "admin"})
PER_PAGE = 25
KINDS = ("search", "view", "vote", "ticket")


class LearningForbidden(KbError):
    """Only knowledge managers and admins see and remove learned associations."""


class AssociationNotFound(KbError):
    """No learned association with that id."""


@dataclass(frozen=True)
class LearnReport:
    votes: int  # new evidence rows from helpful votes
    tickets: int  # ... from resolved tickets
    learned_until: dt.datetime


def _usage(row: Event) -> UsageEvent:
    data = row.data if isinstance(row.data, dict) else {}
    helpful = data.get("helpful")
    return UsageEvent(
        kind=row.kind,
        session=str(row.visitor),
        at=row.created_at,
        query=row.query,
        article_id=row.article_id,
        lang=row.lang,
        helpful=helpful if isinstance(helpful, bool) else None,
        person=f"user:{row.user_id}" if row.user_id else None,
    )


def _resolved_tickets(
    session: Session, since: dt.datetime | None, until: dt.datetime
) -> list[ResolvedTicket]:
    stmt = select(Ticket).where(
        Ticket.status.in_(("resolved", "closed")),
        Ticket.resolved_at.is_not(None),
        Ticket.resolved_at <= until,
    )
    if since is not None:
        stmt = stmt.where(Ticket.resolved_at > since)
    found: list[ResolvedTicket] = []
    for ticket in session.scalars(stmt).unique():
        queries = tuple(
            session.scalars(
                select(TicketSearch.query)
                .where(TicketSearch.ticket_id == ticket.id)
                .order_by(TicketSearch.position)
            )
        )
        articles = tuple(
            session.scalars(
                select(TicketArticle.article_id)
                .where(TicketArticle.ticket_id == ticket.id)
                .order_by(TicketArticle.id)
            )
        )
        if not queries or not articles or ticket.resolved_at is None:
            continue
        person = f"user:{ticket.requester_id}" if ticket.requester_id else f"ticket:{ticket.id}"
        found.append(ResolvedTicket(person, ticket.lang, ticket.resolved_at, queries, articles))
    return found


def learn(session: Session, settings: SearchSettings, now: dt.datetime) -> LearnReport:
    """Fold the evidence that settled since the last run (votes and resolutions at least
    ``SETTLE`` old, so "no ticket afterwards" and "not reopened" are known)."""
    state = learned.state(session)
    since = state.learned_until
    until = now - SETTLE
    if since is not None and until <= since:
        return LearnReport(0, 0, since)
    stmt = select(Event).where(
        Event.kind.in_(KINDS), Event.visitor.is_not(None), Event.created_at <= now
    )
    if since is not None:
        stmt = stmt.where(Event.created_at > since - SESSION_WINDOW)
    events = [_usage(row) for row in session.scalars(stmt.order_by(Event.id))]
    far_past = dt.datetime.min.replace(tzinfo=dt.UTC)
    from_votes = votes_evidence(events, since=since or far_past, until=until)
    from_tickets = tickets_evidence(_resolved_tickets(session, since, until))
    votes = learned.fold(session, from_votes, now=now, half_life=settings.learn_half_life)
    tickets = learned.fold(session, from_tickets, now=now, half_life=settings.learn_half_life)
    state.learned_until = until
    session.flush()
    return LearnReport(votes, tickets, until)


# --- the knowledge managers' page -------------------------------------------------------------


@dataclass(frozen=True)
class AssociationView:
    id: int
    query: str
    query_key: str
    article_id: str
    lang: str
    sessions: int
    votes: int
    tickets: int
    last_seen: dt.datetime
    active: bool  # enough sessions to be blended into ranking
    removed_at: dt.datetime | None
    removed_by: str | None


@dataclass(frozen=True)
class AssociationPage:
    items: tuple[AssociationView, ...]
    page: int
    pages: int
    total: int


def _managers_only(viewer: UserInfo | None) -> UserInfo:
    if viewer is None or not viewer.active or not (viewer.roles & MANAGER_ROLES):
        raise LearningForbidden("only knowledge managers and admins")
    return viewer


def _view(row: LearnedAssociation, min_sessions: int) -> AssociationView:
    return AssociationView(
        row.id,
        row.query,
        row.query_key,
        row.article_id,
        row.lang,
        row.sessions,
        row.votes,
        row.tickets,
        row.last_seen,
        row.removed_at is None and row.sessions >= min_sessions,
        row.removed_at,
        row.removed_by_name,
    )


def list_associations(
    session: Session,
    settings: SearchSettings,
    viewer: UserInfo | None,
    *,
    page: int = 1,
    removed: bool = False,
) -> AssociationPage:
    """What was learned, most sessions first (or the removed ones, latest first)."""
    _managers_only(viewer)
    where = (
        LearnedAssociation.removed_at.is_not(None)
        if removed
        else LearnedAssociation.removed_at.is_(None)
    )
    total = int(session.scalar(select(func.count(LearnedAssociation.id)).where(where)) or 0)
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    order = (
        (LearnedAssociation.removed_at.desc(), LearnedAssociation.id.desc())
        if removed
        else (
            LearnedAssociation.sessions.desc(),
            LearnedAssociation.last_seen.desc(),
            LearnedAssociation.id,
        )
    )
    rows = session.scalars(
        select(LearnedAssociation)
        .where(where)
        .order_by(*order)
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    items = tuple(_view(row, settings.learn_min_sessions) for row in rows)
    return AssociationPage(items, page, pages, total)


def remove_association(
    session: Session,
    settings: SearchSettings,
    viewer: UserInfo | None,
    association_id: int,
    *,
    now: dt.datetime,
) -> AssociationView:
    """Stop blending this association, for good (removing twice is harmless)."""
    who = _managers_only(viewer)
    row = session.get(LearnedAssociation, association_id)
    if row is None:
        raise AssociationNotFound(str(association_id))
    if row.removed_at is None:
        row.removed_at = now
        row.removed_by_id = who.id
        row.removed_by_name = who.name
        learned.state(session).version += 1
        session.flush()
    return _view(row, settings.learn_min_sessions)
