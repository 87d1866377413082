"""Ticket tables. Values that cross the boundary live in ``portal.tickets.values``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.db import Base, UtcDateTime, intpk, utcnow
from portal.tickets.sla_models import SlaEvent


def _empty_list() -> list[str]:
    return []


class TicketCounter(Base):
    """The next reference number, one row per series. Allocation is an atomic
    ``UPDATE … SET value = value + 1 RETURNING value``: the row lock (PostgreSQL) or the write
    lock taken at BEGIN IMMEDIATE (SQLite) makes two workers never get the same number."""

    __tablename__ = "ticket_counters"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_team", "status", "team"),
        Index("ix_tickets_requester_created", "requester_id", "created_at"),
        # The reports select tickets by the day they were opened (migration 0018_h8).
        Index("ix_tickets_created_at", "created_at"),
    )

    id: Mapped[intpk]
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # HD-000123
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A visitor without an account: name and address to answer to.
    visitor_name: Mapped[str | None] = mapped_column(String(200))
    visitor_email: Mapped[str | None] = mapped_column(String(254))
    # The agent who opened it for someone (phone, walk-in...); None when self-service.
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, rendered at display
    lang: Mapped[str] = mapped_column(String(5), default="ar")
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=_empty_list)
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    # Who is affected, as the requester said ("me", "team", "everyone"); None: not stated.
    impact: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="new")
    tier: Mapped[int] = mapped_column(Integer, default=1)
    team: Mapped[str] = mapped_column(String(60))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), default="web")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    first_response_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Filled by the later portal.sla (business-hours calendars); None until then.
    first_response_due: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolution_due: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # Service levels (portal.tickets.service_levels): the policy the deadlines came from, when
    # the warning at the configured share of each target falls due, and the clock's pauses
    # (pending, on hold): since when, and the working time paused so far, in microseconds.
    sla_policy: Mapped[str | None] = mapped_column(String(100))
    first_response_warn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    resolution_warn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    sla_paused_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sla_paused_us: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Next response: since when the requester's latest message awaits an answer (None: none
    # does), the paused time counted before it, and its deadline and warning instant.
    awaiting_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    awaiting_paused_us: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    next_response_due: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    next_response_warn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    # Required to resolve a ticket that breached: a code from the admins' list and a note.
    root_cause_code: Mapped[str | None] = mapped_column(String(40))
    root_cause_note: Mapped[str | None] = mapped_column(Text)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    requester: Mapped[User | None] = relationship(foreign_keys=[requester_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    # Warnings and breaches (portal.tickets.sla_models), oldest first, for the ticket's "sla".
    sla_events: Mapped[list[SlaEvent]] = relationship(
        lazy="selectin", order_by="SlaEvent.id", viewonly=True
    )


class TicketMessage(Base):
    """A public reply or an internal note (``internal``: staff only, never shown to requesters)."""

    __tablename__ = "ticket_messages"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TicketHistory(Base):
    """Who changed what, when: one row per change."""

    __tablename__ = "ticket_history"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40))
    field: Mapped[str | None] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(500))
    new_value: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TicketSearch(Base):
    """A search from the requester's self-service trail, kept with the ticket."""

    __tablename__ = "ticket_searches"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    query: Mapped[str] = mapped_column(String(500))
    hits: Mapped[int | None] = mapped_column(Integer)
    searched_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class TicketViewedArticle(Base):
    """An article from the requester's self-service trail: read, and still needed help."""

    __tablename__ = "ticket_viewed_articles"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    lang: Mapped[str | None] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(300), default="")
    viewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class TicketArticle(Base):
    """An article linked to the ticket's resolution; counted per article by reports."""

    __tablename__ = "ticket_articles"
    __table_args__ = (UniqueConstraint("ticket_id", "article_id"),)

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ArticleFlag(Base):
    """ "This article should have answered it": read by the knowledge managers' review queue."""

    __tablename__ = "article_flags"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    reason: Mapped[str] = mapped_column(Text)
    flagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class TicketAttachment(Base):
    """A file on disk under a server-generated name; ``filename`` is only for the download."""

    __tablename__ = "ticket_attachments"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CannedResponse(Base):
    """A reusable reply text, managed by agents."""

    __tablename__ = "canned_responses"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(5), default="ar")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TicketPromotion(Base):
    """A resolved ticket turned into a draft article ("Promote to article").

    ``published_at`` is set when the draft is approved: from then on the ticket shows
    "resolved by article X" and counts towards the article's resolved tickets.
    """

    __tablename__ = "ticket_promotions"
    __table_args__ = (UniqueConstraint("ticket_id", "draft_id"),)

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    draft_id: Mapped[str] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[str] = mapped_column(String(200), index=True)
    lang: Mapped[str] = mapped_column(String(5))
    promoted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class TicketVisitorLink(Base):
    """The private link a visitor (no account) follows and answers their ticket with.

    Only the token's SHA-256 is stored, like API tokens; one live link per ticket, so "send me
    a new link" replaces the row and the old link stops working at once."""

    __tablename__ = "ticket_visitor_links"

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
