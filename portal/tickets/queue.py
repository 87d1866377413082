"""Lists of tickets: the agent queue, "my tickets", the API's listing, the requester's other
tickets, and the articles suggested for a ticket's subject."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.accounts.teams import list_teams
from portal.search.models import ArticleEntry, SearchError, SearchQuery, SearchResults, Visibility
from portal.tickets.access import load_ticket, may_work, require_staff
from portal.tickets.errors import TicketForbidden, ValidationError
from portal.tickets.models import Ticket
from portal.tickets.states import STATUSES
from portal.tickets.validation import valid_priority
from portal.tickets.values import QueueFilter, TicketInfo, TicketPage, ticket_info

MAX_PER_PAGE = 100


class ArticleSearch(Protocol):
    """What ``suggest_articles`` needs of ``portal.search.services.SearchService``."""

    def search(self, query: SearchQuery) -> SearchResults: ...


def _page(session: Session, stmt: Select[Ticket], page: int, per_page: int) -> TicketPage:
    page = max(1, page)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.offset((page - 1) * per_page).limit(per_page)).unique().all()
    return TicketPage(
        total=total, page=page, per_page=per_page, tickets=tuple(ticket_info(t) for t in rows)
    )


def _statuses(status: str | Sequence[str] | None) -> tuple[str, ...]:
    if status is None or status == "":
        return ()
    chosen = (status,) if isinstance(status, str) else tuple(status)
    for value in chosen:
        if value not in STATUSES:
            raise ValidationError("status", f"Choose one of: {', '.join(STATUSES)}.", "choice")
    return chosen


def list_my_tickets(
    session: Session,
    viewer: UserInfo,
    *,
    status: str | Sequence[str] | None = None,
    page: int = 1,
    per_page: int = 25,
) -> TicketPage:
    """ "My tickets": the ones ``viewer`` asked for (or an agent opened for them), newest first."""
    stmt = select(Ticket).where(Ticket.requester_id == viewer.id)
    if statuses := _statuses(status):
        stmt = stmt.where(Ticket.status.in_(statuses))
    return _page(session, stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()), page, per_page)


_URGENCY = case({"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Ticket.priority, else_=4)


_STATUS_ORDER = case(
    {"new": 0, "open": 1, "pending": 2, "on_hold": 3, "resolved": 4, "closed": 5},
    value=Ticket.status,
    else_=6,
)
# The queue's sortable columns (QUEUE_SORT_COLUMNS), each an expression the database orders by.
_SORT_COLUMNS: dict[str, Any] = {
    "reference": Ticket.id,
    "subject": func.lower(Ticket.subject),
    # Ascending is least urgent first, so "descending" reads as "most urgent first".
    "priority": -_URGENCY,
    "status": _STATUS_ORDER,
    "tier": Ticket.tier,
    "opened": Ticket.created_at,
}


def queue_teams(session: Session, viewer: UserInfo | None) -> list[str]:
    """The teams the queue's team filter offers: the viewer's teams, and for admins (who see
    every ticket) every active team too, ordered by tier then key."""
    staff = require_staff(viewer)
    records = [t.key for t in list_teams(session, include_inactive=not staff.is_admin)]
    if not staff.is_admin:
        records = [key for key in records if key in staff.teams]
    return records + sorted(staff.teams - set(records))


def list_queue(session: Session, viewer: UserInfo | None, filters: QueueFilter) -> TicketPage:
    """The agent queue: tickets of the viewer's teams (all for admins), filtered, most urgent
    first, then oldest first."""
    staff = require_staff(viewer)
    stmt = select(Ticket)
    if not staff.is_admin:
        stmt = stmt.where(or_(Ticket.team.in_(sorted(staff.teams)), Ticket.assignee_id == staff.id))
    if statuses := _statuses(filters.status):
        stmt = stmt.where(Ticket.status.in_(statuses))
    if filters.priority:
        stmt = stmt.where(Ticket.priority == valid_priority(filters.priority))
    if filters.tier is not None:
        stmt = stmt.where(Ticket.tier == filters.tier)
    if filters.team:
        stmt = stmt.where(Ticket.team == filters.team)
    if filters.teams:
        stmt = stmt.where(Ticket.team.in_(sorted(filters.teams)))
    if filters.assignee_id == 0:
        stmt = stmt.where(Ticket.assignee_id.is_(None))
    elif filters.assignee_id is not None:
        stmt = stmt.where(Ticket.assignee_id == filters.assignee_id)
    if filters.category:
        stmt = stmt.where(Ticket.category == filters.category)
    text = filters.text.strip().lower()[:200]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                func.lower(Ticket.subject).like(pattern, escape="\\"),
                func.lower(Ticket.body).like(pattern, escape="\\"),
                func.lower(Ticket.reference).like(pattern, escape="\\"),
            )
        )
    return _page(session, _sorted(stmt, filters.sort), filters.page, filters.per_page)


def _sorted(stmt: Select[Ticket], sort: str) -> Select[Ticket]:
    """Order by ``sort`` (one of QUEUE_SORTS); the id breaks ties so pages never shuffle."""
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "due":
        # What breaches first: the next unmet deadline (the first response, else the sooner
        # of the next response and the resolution); tickets without one last either way.
        due = case(
            (Ticket.first_response_at.is_(None), Ticket.first_response_due),
            (
                and_(
                    Ticket.next_response_due.is_not(None),
                    or_(
                        Ticket.resolution_due.is_(None),
                        Ticket.next_response_due < Ticket.resolution_due,
                    ),
                ),
                Ticket.next_response_due,
            ),
            else_=Ticket.resolution_due,
        )
        missing = case((due.is_(None), 1), else_=0)
        if descending:
            return stmt.order_by(missing, due.desc(), _URGENCY, Ticket.id.desc())
        return stmt.order_by(missing, due, _URGENCY, Ticket.id)
    column = _SORT_COLUMNS.get(key)
    if column is None:
        return stmt.order_by(_URGENCY, Ticket.created_at, Ticket.id)
    if descending:
        return stmt.order_by(column.desc(), Ticket.id.desc())
    return stmt.order_by(column, Ticket.id)


def list_tickets(
    session: Session,
    viewer: UserInfo,
    *,
    status: str | None = None,
    mine: bool = False,
    page: int = 1,
    per_page: int = 25,
) -> TicketPage:
    """``GET /api/v1/tickets?status=&mine=``: a requester's own tickets; for staff the queue
    (every status unless filtered), or with ``mine`` the tickets assigned to them."""
    if not viewer.is_staff:
        return list_my_tickets(session, viewer, status=status, page=page, per_page=per_page)
    filters = QueueFilter(
        status=_statuses(status),
        assignee_id=viewer.id if mine else None,
        page=page,
        per_page=per_page,
    )
    return list_queue(session, viewer, filters)


def requester_other_tickets(
    session: Session, viewer: UserInfo | None, reference: str, *, limit: int = 10
) -> tuple[TicketInfo, ...]:
    """The same requester's other tickets, newest first (the agent's side panel)."""
    ticket = load_ticket(session, viewer, reference)
    if not may_work(viewer, ticket):
        raise TicketForbidden("staff only")
    if ticket.requester_id is not None:
        same = Ticket.requester_id == ticket.requester_id
    elif ticket.visitor_email:
        same = Ticket.visitor_email == ticket.visitor_email
    else:
        return ()
    assert viewer is not None
    stmt = select(Ticket).where(same, Ticket.id != ticket.id)
    if not viewer.is_admin:
        # Only tickets this agent may open: another team's subjects are not theirs to read.
        stmt = stmt.where(
            or_(Ticket.team.in_(sorted(viewer.teams)), Ticket.assignee_id == viewer.id)
        )
    rows = (
        session.scalars(stmt.order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit))
        .unique()
        .all()
    )
    return tuple(ticket_info(t) for t in rows)


def suggest_articles(
    search: ArticleSearch,
    *,
    subject: str,
    body: str = "",
    lang: str | None = None,
    limit: int = 5,
    visibility: Visibility = "public",
) -> tuple[ArticleEntry, ...]:
    """Articles that may answer the ticket, searched from its subject and the start of its
    body. Pass ``SearchService``; staff use ``visibility="internal"``. Never raises on search
    trouble: suggestions are a help, not a requirement."""
    text = " ".join(f"{subject} {body[:300]}".split())
    if not text:
        return ()
    try:
        results = search.search(
            SearchQuery(text=text, lang=lang, per_page=limit, visibility=visibility)
        )
    except SearchError:
        return ()
    return tuple(hit.entry for hit in results.hits[:limit])
