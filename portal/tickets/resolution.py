"""Resolving a ticket with the articles that answered it (knowledge-first), and what follows:
the requester confirms, reopens within the window or rates it; time closes the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets import service_levels
from portal.tickets.access import (
    check_may_confirm,
    check_may_rate,
    check_may_reopen,
    check_may_work,
    may_work,
)
from portal.tickets.errors import ValidationError
from portal.tickets.history import record_change, set_status
from portal.tickets.knowledge_feedback import flag_reopened_articles
from portal.tickets.models import Ticket, TicketArticle, TicketMessage
from portal.tickets.requester_mail import mail_requester
from portal.tickets.root_causes import RootCause, checked_root_cause
from portal.tickets.validation import MAX_BODY, valid_article_id, valid_text
from portal.tickets.values import TicketInfo, TicketResult, ticket_info


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
    ticket = check_may_work(session, viewer, reference, "link_article")
    assert viewer is not None
    article = valid_article_id(article_id)
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
    root_cause: RootCause | None = None,
) -> TicketResult:
    """Resolve with the articles that answered it and/or a resolution note (one is required:
    knowledge-first). ``article_exists`` (e.g. from the search index) rejects unknown ids.
    A ticket that missed its service level also needs its ``root_cause`` (a note, and a code
    from the admins' list when one fits).
    The requester is mailed and may confirm, rate, or reopen within the window."""
    ticket = check_may_work(session, viewer, reference, "resolve")
    assert viewer is not None
    cause = checked_root_cause(session, ticket, root_cause, now)
    articles = list(dict.fromkeys(valid_article_id(a, "article_ids") for a in article_ids))
    text = valid_text("note", note or "", MAX_BODY, required=False)
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
    if cause is not None:
        ticket.root_cause_code, ticket.root_cause_note = cause.code, cause.note
        record_change(
            session,
            ticket,
            viewer,
            "root_cause",
            now,
            field="root_cause",
            new=cause.code,
            note=cause.note,
        )
    if ticket.first_response_at is None:
        ticket.first_response_at = now
    service_levels.on_answered(ticket)  # the resolution note is the answer, mailed to them
    session.flush()
    days = settings.reopen_window.days
    mails = mail_requester(
        session, ticket, settings, "ticket_resolved", now=now, note=text, days=days
    )
    return TicketResult(ticket_info(ticket), mails)


def confirm_resolution(
    session: Session, viewer: UserInfo | None, reference: str, *, now: dt.datetime
) -> TicketInfo:
    """The requester agrees it is solved: the ticket closes."""
    ticket = check_may_confirm(session, viewer, reference)
    set_status(session, ticket, viewer, "closed", now)
    ticket.closed_at = now
    session.flush()
    return ticket_info(ticket)


def reopen(
    session: Session,
    ticket: Ticket,
    viewer: UserInfo | None,
    reason: str,
    now: dt.datetime,
    *,
    attention_reopens: int = 1,
    actor_name: str | None = None,
) -> None:
    """The one home of what a reopen does, whoever asks (an account, or a visitor's private
    link named by ``actor_name``): the ticket opens again, the reason becomes a public reply,
    the next-response clock starts (the reopen awaits an answer), and the linked articles are
    counted towards attention. The caller has checked that this person may reopen it now."""
    set_status(session, ticket, viewer, "open", now, note=reason or None, actor_name=actor_name)
    ticket.resolved_at = None
    service_levels.on_awaiting(session, ticket, now)
    if reason:
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                author_id=viewer.id if viewer else None,
                author_name=viewer.name if viewer else (actor_name or ""),
                body=reason,
                internal=False,
                created_at=now,
            )
        )
    session.flush()
    flag_reopened_articles(session, ticket, attention_reopens, now)


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
    resolution (saying why: ``reason`` is required of them), staff at any time before it
    closes. A reason becomes a public reply.

    Each article linked to the ticket whose tickets were now reopened ``attention_reopens``
    times (``knowledge.attention_reopens``) is flagged for attention in the same transaction."""
    ticket = check_may_reopen(session, settings, viewer, reference, now=now)
    assert viewer is not None
    # The requester says what is still wrong (the form asks for it); staff may reopen bare.
    text = valid_text("reason", reason, MAX_BODY, required=not may_work(viewer, ticket))
    reopen(session, ticket, viewer, text, now, attention_reopens=attention_reopens)
    return ticket_info(ticket)


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
    ticket = check_may_rate(session, viewer, reference)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("rating", "Choose from 1 to 5.", "range")
    text = valid_text("comment", comment, 2000, required=False)
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
        # No note: the history says "closed by itself" in the reader's language.
        set_status(session, ticket, None, "closed", now)
        ticket.closed_at = now
    session.flush()
    return len(tickets)
