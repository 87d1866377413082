"""Ticket use cases. Each is one function, run inside the caller's transaction
(``with transaction(factory) as session: result = open_ticket(session, ...)``); a failure
raises before or during the flush and the transaction leaves nothing half-written.

Who may do what is decided here, not in views: ``viewer`` is the logged-in ``UserInfo``
(None for an anonymous visitor). Tickets the viewer may not see raise ``TicketNotFound``, the
same as missing ones. Mail is returned in ``TicketResult.mails`` for the caller to send after
the commit (``portal.notify.mail.send_mails``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.orm import Session

from portal.accounts.errors import ValidationError as AccountValidationError
from portal.accounts.models import User, UserInfo
from portal.accounts.services import normalize_email
from portal.config import TicketSettings
from portal.events import record_event
from portal.kb import health
from portal.notify.mail import OutgoingMail
from portal.search.models import ArticleEntry, SearchError, SearchQuery, SearchResults, Visibility
from portal.tickets import attachments as files
from portal.tickets.access import (
    get_ticket_for,
    load_as_requester,
    load_as_staff,
    load_ticket,
    may_work,
    require_staff,
    within_reopen_window,
)
from portal.tickets.errors import (
    AttachmentNotFound,
    CannedResponseNotFound,
    InvalidTransition,
    LoginRequired,
    TicketForbidden,
    ValidationError,
)
from portal.tickets.history import record_change, set_status
from portal.tickets.models import (
    ArticleFlag,
    CannedResponse,
    Ticket,
    TicketArticle,
    TicketAttachment,
    TicketCounter,
    TicketHistory,
    TicketMessage,
    TicketSearch,
    TicketViewedArticle,
)
from portal.tickets.requester_mail import mail_requester
from portal.tickets.states import (
    ACTIVE_STATUSES,
    CHANNELS,
    ON_BEHALF_CHANNELS,
    STATUSES,
    TIERS,
)
from portal.tickets.validation import (
    MAX_BODY,
    clean_article_id,
    clean_category,
    clean_priority,
    clean_tags,
    clean_text,
)
from portal.tickets.values import (
    ArticleFlagInfo,
    AttachmentFile,
    AttachmentInfo,
    CannedResponseInfo,
    HistoryEntry,
    MessageInfo,
    QueueFilter,
    SelfServiceTrail,
    TicketChanges,
    TicketDetail,
    TicketDraft,
    TicketInfo,
    TicketPage,
    TicketResult,
    TrailSearch,
    TrailView,
    ticket_info,
)

REFERENCE_PREFIX = "HD-"
MAX_TRAIL = 50
MAX_PER_PAGE = 100


class ArticleSearch(Protocol):
    """What ``suggest_articles`` needs of ``portal.search.services.SearchService``."""

    def search(self, query: SearchQuery) -> SearchResults: ...


# --- opening -----------------------------------------------------------------------------


def _allocate_reference(session: Session) -> str:
    """The next ``HD-000123``: an atomic increment, safe with many workers on either database."""
    value = session.execute(
        update(TicketCounter)
        .where(TicketCounter.name == "ticket")
        .values(value=TicketCounter.value + 1)
        .returning(TicketCounter.value)
    ).scalar_one_or_none()
    if value is None:  # a database created without the migration's seed row
        session.add(TicketCounter(name="ticket", value=1))
        session.flush()
        value = 1
    return f"{REFERENCE_PREFIX}{value:06d}"


def _create(
    session: Session,
    settings: TicketSettings,
    *,
    draft: TicketDraft,
    requester: UserInfo | None,
    opened_by: UserInfo | None,
    channel: str,
    trail: SelfServiceTrail,
    visitor: str | None,
    now: dt.datetime,
) -> TicketResult:
    subject = " ".join(clean_text("subject", draft.subject, 200).split())
    body = clean_text("body", draft.body, MAX_BODY)
    priority = clean_priority(draft.priority)
    category = clean_category(draft.category)
    tags = clean_tags(draft.tags)
    if draft.lang not in ("ar", "en"):
        raise ValidationError("lang", "Choose ar or en.", "choice")
    if channel not in CHANNELS:
        raise ValidationError("channel", f"Choose one of: {', '.join(CHANNELS)}.", "choice")
    visitor_name = visitor_email = None
    if requester is None:
        visitor_name = clean_text("visitor_name", draft.visitor_name or "", 200)
        try:
            visitor_email = normalize_email(draft.visitor_email or "", field="visitor_email")
        except AccountValidationError as exc:
            raise ValidationError(exc.field, exc.message, exc.code) from exc

    ticket = Ticket(
        reference=_allocate_reference(session),
        requester_id=requester.id if requester else None,
        visitor_name=visitor_name,
        visitor_email=visitor_email,
        opened_by_id=opened_by.id if opened_by else None,
        subject=subject,
        body=body,
        lang=draft.lang,
        category=category,
        tags=tags,
        priority=priority,
        status="new",
        tier=1,
        team=settings.category_teams.get(category or "", settings.default_team),
        channel=channel,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    for position, search in enumerate(trail.searches[:MAX_TRAIL]):
        if search.query.strip():
            session.add(
                TicketSearch(
                    ticket_id=ticket.id,
                    position=position,
                    query=search.query.strip()[:500],
                    hits=search.hits,
                    searched_at=search.at,
                )
            )
    for position, view in enumerate(trail.views[:MAX_TRAIL]):
        session.add(
            TicketViewedArticle(
                ticket_id=ticket.id,
                position=position,
                article_id=clean_article_id(view.article_id, "viewed_articles"),
                lang=view.lang if view.lang in ("ar", "en") else None,
                title=view.title.strip()[:300],
                viewed_at=view.at,
            )
        )
    name = requester.name if requester else (visitor_name or "")
    record_change(
        session,
        ticket,
        opened_by or requester,
        "opened",
        now,
        new=channel,
        actor_name=None if (opened_by or requester) else name,
    )
    record_event(
        session,
        "ticket",
        visitor=visitor,
        user_id=requester.id if requester else None,
        lang=draft.lang,
        now=now,
        data={
            "reference": ticket.reference,
            "channel": channel,
            "viewed_articles": len(trail.views),
            "searches": len(trail.searches),
        },
    )
    session.flush()
    session.refresh(ticket)
    return TicketResult(ticket_info(ticket), mail_requester(ticket, settings, "ticket_opened"))


def open_ticket(
    session: Session,
    settings: TicketSettings,
    *,
    requester: UserInfo | None,
    draft: TicketDraft,
    trail: SelfServiceTrail = SelfServiceTrail(),  # noqa: B008  (frozen, so sharing is safe)
    visitor: str | None = None,
    now: dt.datetime,
) -> TicketResult:
    """Self-service "still need help?": a logged-in requester, or a visitor with name and
    e-mail (unless switched off). ``trail`` is what they kept of their searches and views;
    ``visitor`` is the anonymous funnel id of ``portal.events``."""
    if requester is None and not settings.visitor_tickets_enabled:
        raise LoginRequired("log in to open a ticket")
    return _create(
        session,
        settings,
        draft=draft,
        requester=requester,
        opened_by=None,
        channel="web",
        trail=trail,
        visitor=visitor,
        now=now,
    )


def open_ticket_on_behalf(
    session: Session,
    settings: TicketSettings,
    agent: UserInfo | None,
    *,
    requester_email: str,
    draft: TicketDraft,
    channel: str,
    now: dt.datetime,
) -> TicketResult:
    """An agent records a phone, walk-in, chat, remote or e-mail contact. A known address
    becomes the requester; an unknown one a visitor (``draft.visitor_name`` required)."""
    staff = require_staff(agent)
    if channel not in ON_BEHALF_CHANNELS:
        raise ValidationError(
            "channel", f"Choose one of: {', '.join(ON_BEHALF_CHANNELS)}.", "choice"
        )
    try:
        address = normalize_email(requester_email, field="requester_email")
    except AccountValidationError as exc:
        raise ValidationError(exc.field, exc.message, exc.code) from exc
    user = session.scalars(select(User).where(User.email == address)).first()
    requester = UserInfo.of(user) if user is not None and user.active else None
    if requester is None:
        draft = replace(draft, visitor_email=address)
    return _create(
        session,
        settings,
        draft=draft,
        requester=requester,
        opened_by=staff,
        channel=channel,
        trail=SelfServiceTrail(),
        visitor=None,
        now=now,
    )


# --- reading -----------------------------------------------------------------------------


def _messages(session: Session, ticket: Ticket, staff: bool) -> tuple[MessageInfo, ...]:
    stmt = select(TicketMessage).where(TicketMessage.ticket_id == ticket.id)
    if not staff:
        stmt = stmt.where(TicketMessage.internal.is_(False))
    rows = session.scalars(stmt.order_by(TicketMessage.created_at, TicketMessage.id)).all()
    return tuple(
        MessageInfo(
            id=m.id,
            author_id=m.author_id,
            author_name=m.author_name,
            body=m.body,
            internal=m.internal,
            created_at=m.created_at,
        )
        for m in rows
    )


def list_messages(
    session: Session, viewer: UserInfo | None, reference: str
) -> tuple[MessageInfo, ...]:
    """The conversation as ``viewer`` may see it: internal notes only for staff."""
    ticket = load_ticket(session, viewer, reference)
    return _messages(session, ticket, may_work(viewer, ticket))


def _trail(session: Session, ticket: Ticket) -> SelfServiceTrail:
    searches = session.scalars(
        select(TicketSearch)
        .where(TicketSearch.ticket_id == ticket.id)
        .order_by(TicketSearch.position)
    ).all()
    views = session.scalars(
        select(TicketViewedArticle)
        .where(TicketViewedArticle.ticket_id == ticket.id)
        .order_by(TicketViewedArticle.position)
    ).all()
    return SelfServiceTrail(
        searches=tuple(TrailSearch(s.query, s.hits, s.searched_at) for s in searches),
        views=tuple(TrailView(v.article_id, v.lang, v.title, v.viewed_at) for v in views),
    )


def _actions(
    viewer: UserInfo | None, ticket: Ticket, settings: TicketSettings, now: dt.datetime
) -> frozenset[str]:
    actions: set[str] = set()
    active = ticket.status in ACTIVE_STATUSES
    if may_work(viewer, ticket):
        actions |= {"note", "flag_article", "link_article"}
        if ticket.status != "closed":
            actions |= {"reply", "attach"}  # add_attachment refuses closed tickets
        if active:
            actions |= {"assign", "claim", "update", "change_status", "resolve"}
            if ticket.tier < max(TIERS):
                actions.add("escalate")
        if ticket.status == "resolved":
            actions.add("reopen")
    if viewer is not None and ticket.requester_id == viewer.id:
        if active:
            actions |= {"reply", "attach"}
        if ticket.status == "resolved":
            actions.add("confirm")
            if within_reopen_window(ticket, settings, now):
                actions.add("reopen")
        if ticket.status in ("resolved", "closed"):
            actions.add("rate")
    return frozenset(actions)


def get_ticket_detail(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    *,
    now: dt.datetime,
) -> TicketDetail:
    """Everything the detail page / ``GET /api/v1/tickets/<ref>`` shows to ``viewer``."""
    ticket = load_ticket(session, viewer, reference)
    staff = may_work(viewer, ticket)
    links = session.scalars(
        select(TicketArticle.article_id)
        .where(TicketArticle.ticket_id == ticket.id)
        .order_by(TicketArticle.linked_at, TicketArticle.id)
    ).all()
    attachment_stmt = select(TicketAttachment).where(TicketAttachment.ticket_id == ticket.id)
    if not staff:
        attachment_stmt = attachment_stmt.where(TicketAttachment.internal.is_(False))
    attachment_rows = session.scalars(attachment_stmt.order_by(TicketAttachment.id)).all()
    history: tuple[HistoryEntry, ...] = ()
    if staff:
        history = tuple(
            HistoryEntry(
                h.actor_id,
                h.actor_name,
                h.action,
                h.field,
                h.old_value,
                h.new_value,
                h.note,
                h.created_at,
            )
            for h in session.scalars(
                select(TicketHistory)
                .where(TicketHistory.ticket_id == ticket.id)
                .order_by(TicketHistory.created_at, TicketHistory.id)
            ).all()
        )
    return TicketDetail(
        ticket=ticket_info(ticket),
        messages=_messages(session, ticket, staff),
        trail=_trail(session, ticket),
        linked_articles=tuple(links),
        attachments=tuple(
            AttachmentInfo(a.id, a.filename, a.content_type, a.size, a.internal, a.created_at)
            for a in attachment_rows
        ),
        history=history,
        actions=_actions(viewer, ticket, settings, now),
    )


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
        stmt = stmt.where(Ticket.priority == clean_priority(filters.priority))
    if filters.tier is not None:
        stmt = stmt.where(Ticket.tier == filters.tier)
    if filters.team:
        stmt = stmt.where(Ticket.team == filters.team)
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
    stmt = stmt.order_by(_URGENCY, Ticket.created_at, Ticket.id)
    return _page(session, stmt, filters.page, filters.per_page)


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


# --- the conversation --------------------------------------------------------------------


def add_reply(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    *,
    body: str,
    internal: bool = False,
    now: dt.datetime,
) -> TicketResult:
    """A public reply (requester or staff) or an internal note (staff only).

    The first public staff reply sets ``first_response_at`` and opens a new ticket; a
    requester's reply to a pending ticket opens it again. Public staff replies are mailed.
    """
    ticket = load_ticket(session, viewer, reference, for_update=True)
    staff = may_work(viewer, ticket)
    assert viewer is not None  # load_ticket refuses anonymous viewers
    text = clean_text("body", body, MAX_BODY)
    if internal and not staff:
        raise TicketForbidden("only staff write internal notes")
    if not internal:
        if ticket.status == "closed":
            raise InvalidTransition("closed", "reply", "a closed ticket takes no replies")
        if not staff and ticket.status not in ACTIVE_STATUSES:
            raise InvalidTransition(ticket.status, "reply", "reopen the ticket to reply to it")
    message = TicketMessage(
        ticket_id=ticket.id,
        author_id=viewer.id,
        author_name=viewer.name,
        body=text,
        internal=internal,
        created_at=now,
    )
    session.add(message)
    record_change(session, ticket, viewer, "note" if internal else "reply", now)
    mails: tuple[OutgoingMail, ...] = ()
    if staff and not internal:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        if ticket.status == "new":
            set_status(session, ticket, viewer, "open", now)
        if ticket.requester_id != viewer.id:
            mails = mail_requester(ticket, settings, "ticket_reply", author=viewer.name, body=text)
    elif not staff and ticket.status == "pending":
        set_status(session, ticket, viewer, "open", now)
    session.flush()
    return TicketResult(ticket_info(ticket), mails)


def _assign(
    session: Session, ticket: Ticket, viewer: UserInfo, assignee: User | None, now: dt.datetime
) -> None:
    old = ticket.assignee.name if ticket.assignee else None
    if (assignee.id if assignee else None) == ticket.assignee_id:
        return
    ticket.assignee_id = assignee.id if assignee else None
    ticket.assignee = assignee
    record_change(
        session,
        ticket,
        viewer,
        "assign",
        now,
        field="assignee",
        old=old,
        new=assignee.name if assignee else None,
    )
    if assignee is not None and ticket.status == "new":
        set_status(session, ticket, viewer, "open", now)


def claim_ticket(
    session: Session, viewer: UserInfo | None, reference: str, *, now: dt.datetime
) -> TicketInfo:
    """The viewer takes the ticket (and a new ticket becomes open)."""
    ticket = load_as_staff(session, viewer, reference)
    assert viewer is not None
    if ticket.status not in ACTIVE_STATUSES:
        raise InvalidTransition(ticket.status, "claimed")
    _assign(session, ticket, viewer, session.get(User, viewer.id), now)
    session.flush()
    return ticket_info(ticket)


def assign_ticket(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    assignee_id: int | None,
    now: dt.datetime,
) -> TicketInfo:
    """Give the ticket to an active agent of its team (None: back to the team's queue)."""
    ticket = load_as_staff(session, viewer, reference)
    assert viewer is not None
    if ticket.status not in ACTIVE_STATUSES:
        raise InvalidTransition(ticket.status, "assigned")
    assignee = None
    if assignee_id is not None:
        assignee = session.get(User, assignee_id)
        if (
            assignee is None
            or not assignee.active
            or "agent" not in assignee.role_names
            or ticket.team not in assignee.team_names
        ):
            raise ValidationError(
                "assignee_id", f"Choose an active agent of the {ticket.team} team.", "choice"
            )
    _assign(session, ticket, viewer, assignee, now)
    session.flush()
    return ticket_info(ticket)


def update_ticket(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    changes: TicketChanges,
    *,
    now: dt.datetime,
) -> TicketInfo:
    """Change priority, category and tags; each changed field gets a history row."""
    ticket = load_as_staff(session, viewer, reference)
    if ticket.status == "closed":
        raise InvalidTransition("closed", "updated")
    if changes.priority is not None and changes.priority != ticket.priority:
        new_priority = clean_priority(changes.priority)
        record_change(
            session,
            ticket,
            viewer,
            "update",
            now,
            field="priority",
            old=ticket.priority,
            new=new_priority,
        )
        ticket.priority = new_priority
    if changes.category is not None:
        new_category = clean_category(changes.category)
        if new_category != ticket.category:
            record_change(
                session,
                ticket,
                viewer,
                "update",
                now,
                field="category",
                old=ticket.category,
                new=new_category,
            )
            ticket.category = new_category
    if changes.tags is not None:
        new_tags = clean_tags(changes.tags)
        if new_tags != list(ticket.tags or ()):
            record_change(
                session, ticket, viewer, "update", now, field="tags", old=ticket.tags, new=new_tags
            )
            ticket.tags = new_tags
    session.flush()
    return ticket_info(ticket)


def change_status(
    session: Session, viewer: UserInfo | None, reference: str, *, status: str, now: dt.datetime
) -> TicketInfo:
    """Staff move a ticket between open, pending (waiting for the requester) and on hold.
    Resolving has its own rules (``resolve_ticket``); closing is the requester's or time's."""
    ticket = load_as_staff(session, viewer, reference)
    if status not in ("open", "pending", "on_hold"):
        raise ValidationError("status", "Choose open, pending or on_hold.", "choice")
    if status == ticket.status:
        return ticket_info(ticket)  # the form sent the status it already has: nothing to do
    set_status(session, ticket, viewer, status, now)
    session.flush()
    return ticket_info(ticket)


def escalate_ticket(
    session: Session, viewer: UserInfo | None, reference: str, *, reason: str, now: dt.datetime
) -> TicketInfo:
    """Move the ticket to the next tier with a reason (kept as an internal note); it leaves
    the current assignee and waits in the higher tier's queue."""
    ticket = load_as_staff(session, viewer, reference)
    assert viewer is not None
    why = clean_text("reason", reason, 2000)
    if ticket.status not in ACTIVE_STATUSES:
        raise InvalidTransition(ticket.status, "escalated")
    if ticket.tier >= max(TIERS):
        raise ValidationError("tier", "The ticket is already at the highest tier.", "max")
    record_change(
        session,
        ticket,
        viewer,
        "escalate",
        now,
        field="tier",
        old=ticket.tier,
        new=ticket.tier + 1,
        note=why,
    )
    ticket.tier += 1
    if ticket.assignee_id is not None:
        _assign(session, ticket, viewer, None, now)
    session.add(
        TicketMessage(
            ticket_id=ticket.id,
            author_id=viewer.id,
            author_name=viewer.name,
            body=f"Escalated to tier {ticket.tier}: {why}",
            internal=True,
            created_at=now,
        )
    )
    session.flush()
    return ticket_info(ticket)


def _link(
    session: Session, ticket: Ticket, viewer: UserInfo, article_id: str, now: dt.datetime
) -> bool:
    exists = session.scalar(
        select(TicketArticle.id).where(
            TicketArticle.ticket_id == ticket.id, TicketArticle.article_id == article_id
        )
    )
    if exists is not None:
        return False
    session.add(
        TicketArticle(
            ticket_id=ticket.id, article_id=article_id, linked_by_id=viewer.id, linked_at=now
        )
    )
    record_change(session, ticket, viewer, "link_article", now, new=article_id)
    return True


def link_article(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    article_id: str,
    now: dt.datetime,
    article_exists: Callable[[str], bool] | None = None,
) -> TicketInfo:
    """Link an article that answers the ticket (linking twice is harmless)."""
    ticket = load_as_staff(session, viewer, reference)
    assert viewer is not None
    article = clean_article_id(article_id)
    if article_exists is not None and not article_exists(article):
        raise ValidationError("article_id", f"There is no article {article!r}.", "unknown")
    _link(session, ticket, viewer, article, now)
    session.flush()
    return ticket_info(ticket)


def resolve_ticket(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    *,
    article_ids: Sequence[str] = (),
    note: str | None = None,
    now: dt.datetime,
    article_exists: Callable[[str], bool] | None = None,
) -> TicketResult:
    """Resolve with the articles that answered it and/or a resolution note (one is required:
    knowledge-first). ``article_exists`` (e.g. from the search index) rejects unknown ids.
    The requester is mailed and may confirm, rate, or reopen within the window."""
    ticket = load_as_staff(session, viewer, reference)
    assert viewer is not None
    articles = list(dict.fromkeys(clean_article_id(a, "article_ids") for a in article_ids))
    text = clean_text("note", note or "", MAX_BODY, required=False)
    if not articles and not text:
        raise ValidationError(
            "article_ids", "Link at least one article or write a resolution note.", "required"
        )
    for article in articles:
        if article_exists is not None and not article_exists(article):
            raise ValidationError("article_ids", f"There is no article {article!r}.", "unknown")
    set_status(session, ticket, viewer, "resolved", now, note=text or None)
    for article in articles:
        _link(session, ticket, viewer, article, now)
    ticket.resolved_at = now
    ticket.resolution_note = text or None
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    session.flush()
    days = settings.reopen_window.days
    mails = mail_requester(ticket, settings, "ticket_resolved", note=text, days=days)
    return TicketResult(ticket_info(ticket), mails)


def confirm_resolution(
    session: Session, viewer: UserInfo | None, reference: str, *, now: dt.datetime
) -> TicketInfo:
    """The requester agrees it is solved: the ticket closes."""
    ticket = load_as_requester(session, viewer, reference)
    set_status(session, ticket, viewer, "closed", now)
    ticket.closed_at = now
    session.flush()
    return ticket_info(ticket)


def reopen_ticket(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    *,
    reason: str = "",
    now: dt.datetime,
    attention_reopens: int = 1,
) -> TicketInfo:
    """Not solved after all: the requester may reopen within ``reopen_window`` of the
    resolution, staff at any time before it closes. A reason becomes a public reply.

    Each article linked to the ticket whose tickets were now reopened ``attention_reopens``
    times (``knowledge.attention_reopens``) is flagged for attention in the same transaction."""
    ticket = load_ticket(session, viewer, reference, for_update=True)
    assert viewer is not None
    staff = may_work(viewer, ticket)
    if not staff and ticket.requester_id != viewer.id:
        raise TicketForbidden("only the requester or staff may reopen")
    if ticket.status != "resolved":
        raise InvalidTransition(ticket.status, "open")
    if not staff and not within_reopen_window(ticket, settings, now):
        raise InvalidTransition(
            "resolved", "open", "the time to reopen has passed; please open a new ticket"
        )
    text = clean_text("reason", reason, MAX_BODY, required=False)
    set_status(session, ticket, viewer, "open", now, note=text or None)
    ticket.resolved_at = None
    if text:
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                author_id=viewer.id,
                author_name=viewer.name,
                body=text,
                internal=False,
                created_at=now,
            )
        )
    session.flush()
    flag_reopened_articles(session, ticket, attention_reopens, now)
    return ticket_info(ticket)


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


def rate_ticket(
    session: Session,
    viewer: UserInfo | None,
    reference: str,
    *,
    rating: int,
    comment: str = "",
    now: dt.datetime,
) -> TicketInfo:
    """The requester rates the resolution 1–5 with an optional comment (may rate again)."""
    ticket = load_as_requester(session, viewer, reference)
    if ticket.status not in ("resolved", "closed"):
        raise InvalidTransition(ticket.status, "rated", "only a resolved ticket can be rated")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("rating", "Choose from 1 to 5.", "range")
    text = clean_text("comment", comment, 2000, required=False)
    record_change(
        session,
        ticket,
        viewer,
        "rate",
        now,
        field="rating",
        old=ticket.rating,
        new=rating,
        note=text or None,
    )
    ticket.rating = rating
    ticket.rating_comment = text or None
    ticket.rated_at = now
    session.flush()
    return ticket_info(ticket)


def close_resolved_tickets(session: Session, settings: TicketSettings, *, now: dt.datetime) -> int:
    """Close tickets resolved longer ago than the reopen window (cron / ``sanad`` command)."""
    cutoff = now - settings.reopen_window
    tickets = (
        session.scalars(
            select(Ticket)
            .where(Ticket.status == "resolved", Ticket.resolved_at <= cutoff)
            .with_for_update(of=Ticket)
        )
        .unique()
        .all()
    )
    for ticket in tickets:
        set_status(session, ticket, None, "closed", now, note="reopen window passed")
        ticket.closed_at = now
    session.flush()
    return len(tickets)


# --- knowledge feedback ------------------------------------------------------------------


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
    ticket = load_as_staff(session, viewer, reference)
    assert viewer is not None
    flag = ArticleFlag(
        ticket_id=ticket.id,
        article_id=clean_article_id(article_id),
        reason=clean_text("reason", reason, 2000),
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


# --- attachments -------------------------------------------------------------------------


def add_attachment(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    *,
    filename: str,
    data: bytes,
    internal: bool = False,
    now: dt.datetime,
) -> AttachmentInfo:
    """Store a file on the ticket after checking size and type (by content, not name).

    The file is written just before its row; should the transaction then fail, no row points
    at the file and it is only an orphan on disk, never reachable through Sanad."""
    ticket = load_ticket(session, viewer, reference, for_update=True)
    staff = may_work(viewer, ticket)
    assert viewer is not None
    if internal and not staff:
        raise TicketForbidden("only staff add internal attachments")
    if ticket.status == "closed":
        raise InvalidTransition("closed", "attach")
    if not staff and ticket.status not in ACTIVE_STATUSES:
        # Like replies: a requester reopens a resolved ticket before adding to it.
        raise InvalidTransition(ticket.status, "attach", "reopen the ticket to add files")
    if not data:
        raise ValidationError("file", "The file is empty.", "empty")
    if len(data) > settings.attachment_max_bytes:
        limit = settings.attachment_max_bytes // (1024 * 1024) or 1
        raise ValidationError("file", f"Files may be at most {limit} MB.", "too_large")
    media_type = files.sniff_type(data[: 64 * 1024] if not data.startswith(b"PK") else data)
    if media_type is None or media_type not in settings.attachment_types:
        raise ValidationError("file", "This type of file is not accepted.", "type")
    count = session.scalar(select(func.count()).where(TicketAttachment.ticket_id == ticket.id)) or 0
    if count >= settings.attachments_per_ticket:
        raise ValidationError("file", "This ticket has reached its number of files.", "too_many")
    stored_name = files.new_stored_name()
    name = files.download_name(filename, media_type)
    files.store(settings.attachments_dir, stored_name, data)
    row = TicketAttachment(
        ticket_id=ticket.id,
        stored_name=stored_name,
        filename=name,
        content_type=media_type,
        size=len(data),
        internal=internal,
        uploaded_by_id=viewer.id,
        created_at=now,
    )
    session.add(row)
    record_change(session, ticket, viewer, "attach", now, new=name)
    session.flush()
    return AttachmentInfo(
        row.id, row.filename, row.content_type, row.size, row.internal, row.created_at
    )


def get_attachment_file(
    session: Session,
    settings: TicketSettings,
    viewer: UserInfo | None,
    reference: str,
    attachment_id: int,
) -> AttachmentFile:
    """The file to send, after checking the viewer may see the ticket (and, for internal
    files, works it). Views send it with ``as_attachment=True`` and ``X-Content-Type-Options:
    nosniff``."""
    ticket = load_ticket(session, viewer, reference)
    row = session.get(TicketAttachment, attachment_id)
    if row is None or row.ticket_id != ticket.id or (row.internal and not may_work(viewer, ticket)):
        raise AttachmentNotFound(str(attachment_id))
    path = files.stored_path(settings.attachments_dir, row.stored_name)
    if path is None:
        raise AttachmentNotFound(str(attachment_id))
    return AttachmentFile(
        path=path, download_name=row.filename, content_type=row.content_type, size=row.size
    )


# --- canned responses --------------------------------------------------------------------


def _canned(row: CannedResponse) -> CannedResponseInfo:
    return CannedResponseInfo(row.id, row.title, row.body, row.lang, row.updated_at)


def list_canned_responses(
    session: Session, viewer: UserInfo | None, *, lang: str | None = None
) -> tuple[CannedResponseInfo, ...]:
    require_staff(viewer)
    stmt = select(CannedResponse)
    if lang:
        stmt = stmt.where(CannedResponse.lang == lang)
    return tuple(_canned(r) for r in session.scalars(stmt.order_by(CannedResponse.title)).all())


def save_canned_response(
    session: Session,
    viewer: UserInfo | None,
    *,
    title: str,
    body: str,
    lang: str,
    now: dt.datetime,
    response_id: int | None = None,
) -> CannedResponseInfo:
    """Create (``response_id=None``) or edit a canned response."""
    staff = require_staff(viewer)
    clean_title = clean_text("title", title, 200)
    clean_body = clean_text("body", body, MAX_BODY)
    if lang not in ("ar", "en"):
        raise ValidationError("lang", "Choose ar or en.", "choice")
    if response_id is None:
        row = CannedResponse(created_by_id=staff.id, created_at=now)
        session.add(row)
    else:
        found = session.get(CannedResponse, response_id)
        if found is None:
            raise CannedResponseNotFound(str(response_id))
        row = found
    row.title, row.body, row.lang, row.updated_at = clean_title, clean_body, lang, now
    session.flush()
    return _canned(row)


def delete_canned_response(session: Session, viewer: UserInfo | None, response_id: int) -> None:
    require_staff(viewer)
    row = session.get(CannedResponse, response_id)
    if row is None:
        raise CannedResponseNotFound(str(response_id))
    session.delete(row)
    session.flush()


__all__ = ["CannedResponseNotFound", "LoginRequired", "get_ticket_for"]  # until callers move
