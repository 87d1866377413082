"""Frozen values that cross the tickets boundary: form/API → service → template/JSON, and
``ticket_info``, the one way a ticket row becomes a ``TicketInfo``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

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
    priority: str = "normal"
    tags: tuple[str, ...] = ()
    lang: str = "ar"
    visitor_name: str | None = None
    visitor_email: str | None = None


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


@dataclass(frozen=True)
class TicketPage:
    total: int
    page: int
    per_page: int
    tickets: tuple[TicketInfo, ...]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


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
    )
