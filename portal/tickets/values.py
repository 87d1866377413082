"""Frozen values that cross the tickets boundary: form/API → service → template/JSON, and
``ticket_info``, the one way a ticket row becomes a ``TicketInfo``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from portal.db import utcnow
from portal.notify.mail import OutgoingMail
from portal.tickets.models import Ticket


@dataclass(frozen=True)
class TrailSearch:
    """A search the person ran before asking for help (hits/time unknown from the API)."""

    query: str
    hits: int | None = None
    at: dt.datetime | None = None


@dataclass(frozen=True)
class TrailView:
    """An article the person read before asking for help."""

    article_id: str
    lang: str | None = None
    title: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class SelfServiceTrail:
    """What the person tried, after they pruned it on the form; stored with the ticket."""

    searches: tuple[TrailSearch, ...] = ()
    views: tuple[TrailView, ...] = ()


@dataclass(frozen=True)
class TicketDraft:
    """A new ticket as typed. Visitors (no account) give ``visitor_name``/``visitor_email``."""

    subject: str
    body: str
    category: str | None = None
    # None: set by the rules (from ``impact``). Only staff may state a priority (see intake).
    priority: str | None = None
    tags: tuple[str, ...] = ()
    impact: str | None = None  # who is affected: "me", "team", "everyone" (IMPACTS)
    lang: str = "ar"
    visitor_name: str | None = None
    visitor_email: str | None = None


@dataclass(frozen=True)
class SlaBreach:
    target: str  # first_response | resolution
    due_at: dt.datetime
    target_minutes: int
    policy: str
    recorded_at: dt.datetime
    tier_before: int | None
    tier_after: int | None


@dataclass(frozen=True)
class SlaInfo:
    """Where the ticket stands against its service level (``state``: ok | warning | breached |
    paused | met); the deadlines are the ticket's ``first_response_due``/``resolution_due``."""

    policy: str | None = None
    first_response_due: dt.datetime | None = None
    resolution_due: dt.datetime | None = None
    state: str = "ok"
    # While a requester's message awaits an answer (after the first response).
    next_response_due: dt.datetime | None = None
    breaches: tuple[SlaBreach, ...] = ()
    warned: bool = False
    # The deadline that comes next among the targets not yet met (the queue sorts by it).
    next_due: dt.datetime | None = None
    # Working minutes from now to ``next_due`` (negative: overdue), when a calendar was at
    # hand (``portal.tickets.service_levels.with_time_left``).
    minutes_left: float | None = None
    # Outside working hours: when work resumes (set on the ticket just opened).
    resumes_at: dt.datetime | None = None


@dataclass(frozen=True)
class SlaExplanation:
    """The deadline that matters now and the working periods counted to reach it (local
    times in the calendar's zone), for "48 working hours: 2 Dec 14:10–16:00, …"."""

    target: str  # first_response | resolution
    minutes: float
    due: dt.datetime
    periods: tuple[tuple[dt.datetime, dt.datetime], ...]
    timezone: str
    resumes_at: dt.datetime | None = None


@dataclass(frozen=True)
class TicketInfo:
    """A ticket's fields, for lists, the detail page and the JSON API."""

    id: int
    reference: str
    subject: str
    body: str
    lang: str
    status: str
    priority: str
    category: str | None
    tags: tuple[str, ...]
    tier: int
    team: str
    channel: str
    requester_id: int | None
    requester_name: str
    requester_email: str
    assignee_id: int | None
    assignee_name: str | None
    opened_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    resolution_note: str | None
    rating: int | None
    rating_comment: str | None
    sla: SlaInfo = field(default_factory=SlaInfo)
    impact: str | None = None


@dataclass(frozen=True)
class MessageInfo:
    id: int
    author_id: int | None
    author_name: str
    body: str  # Markdown; render with portal.kb.rendering.render_markdown at display
    internal: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class HistoryEntry:
    actor_id: int | None
    actor_name: str
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    note: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class AttachmentInfo:
    id: int
    filename: str
    content_type: str
    size: int
    internal: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class AttachmentFile:
    """What a download view needs after the access check: send ``path`` as an attachment
    named ``download_name`` with ``content_type`` (never inline)."""

    path: Path
    download_name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class TicketDetail:
    """Everything the detail page or ``GET /api/v1/tickets/<ref>`` shows to this viewer:
    messages and attachments already filtered (internal only for staff), history for staff,
    and ``actions`` the viewer may take now (to show the right buttons)."""

    ticket: TicketInfo
    messages: tuple[MessageInfo, ...]
    trail: SelfServiceTrail
    linked_articles: tuple[str, ...]
    attachments: tuple[AttachmentInfo, ...]
    history: tuple[HistoryEntry, ...]
    actions: frozenset[str]
    sla_explanation: SlaExplanation | None = None


@dataclass(frozen=True)
class TicketPage:
    total: int
    page: int
    per_page: int
    tickets: tuple[TicketInfo, ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


# The queue's sortable columns; "due" is the time left (what breaches first, ascending).
QUEUE_SORT_COLUMNS = ("reference", "subject", "priority", "status", "tier", "opened", "due")
QUEUE_SORTS = frozenset(("urgency", *QUEUE_SORT_COLUMNS, *(f"-{c}" for c in QUEUE_SORT_COLUMNS)))


@dataclass(frozen=True)
class QueueFilter:
    """The agent queue's filters; ``None`` means "any". ``assignee_id=0`` means unassigned."""

    status: tuple[str, ...] = ("new", "open", "pending", "on_hold")
    priority: str | None = None
    tier: int | None = None
    team: str | None = None
    assignee_id: int | None = None
    category: str | None = None
    text: str = ""
    page: int = 1
    per_page: int = 25
    # "My team": only tickets of these teams (empty: no such limit).
    teams: tuple[str, ...] = ()
    # One of QUEUE_SORTS: "urgency" (priority, then age), "due" (what breaches first), or a
    # column, "-column" for descending.
    sort: str = "urgency"


@dataclass(frozen=True)
class TicketChanges:
    """Fields an agent edits together; ``None`` leaves a field as it is."""

    priority: str | None = None
    category: str | None = None
    tags: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TicketResult:
    """A changed ticket plus the mail to send after the transaction commits
    (``portal.notify.mail.send_mails(settings, result.mails)``)."""

    ticket: TicketInfo
    mails: tuple[OutgoingMail, ...] = field(default=())
    # A visitor's new ticket: the private link (``/tickets/visit/<token>``), shown once on
    # the confirmation page and mailed; only its hash is stored.
    visitor_link: str | None = None
    attachments: tuple[AttachmentInfo, ...] = field(default=())


@dataclass(frozen=True)
class ArticleFlagInfo:
    id: int
    ticket_reference: str
    article_id: str
    reason: str
    flagged_by_name: str
    created_at: dt.datetime
    handled_at: dt.datetime | None


@dataclass(frozen=True)
class CannedResponseInfo:
    id: int
    title: str
    body: str
    lang: str
    updated_at: dt.datetime


def ticket_info(ticket: Ticket) -> TicketInfo:
    """The row as the value lists, pages and the API show."""
    requester = ticket.requester
    return TicketInfo(
        id=ticket.id,
        reference=ticket.reference,
        subject=ticket.subject,
        body=ticket.body,
        lang=ticket.lang,
        status=ticket.status,
        priority=ticket.priority,
        category=ticket.category,
        tags=tuple(ticket.tags or ()),
        tier=ticket.tier,
        team=ticket.team,
        channel=ticket.channel,
        requester_id=ticket.requester_id,
        requester_name=requester.name if requester else (ticket.visitor_name or ""),
        requester_email=requester.email if requester else (ticket.visitor_email or ""),
        assignee_id=ticket.assignee_id,
        assignee_name=ticket.assignee.name if ticket.assignee else None,
        opened_by_id=ticket.opened_by_id,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        first_response_due=ticket.first_response_due,
        resolution_due=ticket.resolution_due,
        resolution_note=ticket.resolution_note,
        rating=ticket.rating,
        rating_comment=ticket.rating_comment,
        sla=sla_info(ticket),
        impact=ticket.impact,
    )


def _target_state(
    due: dt.datetime | None,
    warn_at: dt.datetime | None,
    done_at: dt.datetime | None,
    paused: bool,
    now: dt.datetime,
) -> str | None:
    if due is None:
        return None
    if done_at is not None:
        return "met" if done_at <= due else "breached"
    if now >= due:
        return "breached"
    if paused:
        return "paused"
    return "warning" if warn_at is not None and now >= warn_at else "ok"


def sla_info(ticket: Ticket, now: dt.datetime | None = None) -> SlaInfo:
    """The ticket's service-level state from its stored deadlines and recorded breaches (the
    warning instants are stored too, so no calendar is needed here)."""
    now = now or utcnow()
    paused = ticket.sla_paused_at is not None
    done = ticket.resolved_at or ticket.closed_at
    states = [
        _target_state(
            ticket.first_response_due,
            ticket.first_response_warn_at,
            ticket.first_response_at,
            paused,
            now,
        ),
        _target_state(ticket.next_response_due, ticket.next_response_warn_at, None, paused, now),
        _target_state(ticket.resolution_due, ticket.resolution_warn_at, done, paused, now),
    ]
    events = list(ticket.sla_events or ())
    breaches = tuple(
        SlaBreach(
            target=e.target,
            due_at=e.due_at,
            target_minutes=e.target_minutes,
            policy=e.policy,
            recorded_at=e.recorded_at,
            tier_before=e.tier_before,
            tier_after=e.tier_after,
        )
        for e in events
        if e.kind == "breach"
    )
    if breaches:
        states.append("breached")
    state = "ok"
    for candidate in ("breached", "warning", "paused", "ok", "met"):
        if candidate in states:
            state = candidate
            break
    pending = [
        due
        for due, met in (
            (ticket.first_response_due, ticket.first_response_at),
            (ticket.next_response_due, None),
            (ticket.resolution_due, done),
        )
        if due is not None and met is None
    ]
    return SlaInfo(
        policy=ticket.sla_policy,
        first_response_due=ticket.first_response_due,
        resolution_due=ticket.resolution_due,
        next_response_due=ticket.next_response_due,
        state=state,
        breaches=breaches,
        warned=any(e.kind == "warning" for e in events),
        next_due=min(pending) if pending else None,
    )
