"""Promote a resolved ticket to a draft article (issue 4): access, duplicates, the draft.

The draft's text comes from ``portal.tickets.promote`` (template + scrubbing); the draft
itself from ``portal.kb.workflow.create_draft(..., promoted=True)``, submitted at once, so it
is in the knowledge managers' review queue from the moment it exists (changes requested on it
go to their "drafts from tickets to finish" list: agents do not edit articles).

A ``TicketPromotion`` row ties ticket and draft together: publishing the draft
(``portal.editorial.publishing``) stamps it, and from then on the ticket shows "resolved by
article X" and the article counts the ticket (``portal.tickets.impact``).

Who may promote: knowledge managers and admins any ticket; agents the tickets of their teams
(or assigned to them). Anyone else gets ``TicketNotFound`` (404) so references cannot be
probed, except the ticket's own requester, who gets ``TicketForbidden`` (403).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import User
from portal.config import Settings
from portal.kb.repository import ArticleRepository
from portal.kb.tables import Draft
from portal.kb.workflow import (
    DraftInput,
    DraftView,
    Editor,
    create_draft,
    get_draft,
    submit_draft,
)
from portal.search.models import ArticleEntry
from portal.search.services import SearchService
from portal.tickets.errors import InvalidTransition, TicketForbidden, TicketNotFound
from portal.tickets.models import (
    Ticket,
    TicketArticle,
    TicketHistory,
    TicketMessage,
    TicketPromotion,
)
from portal.tickets.promote import PromotionSource, RelatedArticle, SourceMessage, to_draft

PROMOTABLE_STATUSES = ("resolved", "closed")
MANAGER_ROLES = frozenset({"knowledge_manager", "admin"})
OPEN_DRAFT_STATUSES = ("draft", "review")
SIMILAR = 5


class AlreadyPromoted(InvalidTransition):
    """The ticket already has a draft in progress (HTTP 409); ``draft_id`` names it."""

    def __init__(self, status: str, draft_id: str) -> None:
        super().__init__(status, "promoted", f"already promoted: draft {draft_id}")
        self.draft_id = draft_id


@dataclass(frozen=True)
class PromotionTicket:
    """The ticket as the confirmation page shows it."""

    reference: str
    subject: str
    lang: str
    status: str


@dataclass(frozen=True)
class PromotionPreview:
    """What promoting would create, and the existing articles it may duplicate."""

    ticket: PromotionTicket
    draft: DraftInput
    similar: tuple[ArticleEntry, ...]
    open_draft_id: str | None  # a draft already promoted from this ticket, still in progress

    @property
    def promotable(self) -> bool:
        return self.ticket.status in PROMOTABLE_STATUSES and self.open_draft_id is None


@dataclass(frozen=True)
class PromotionOutcome:
    draft: DraftView
    similar: tuple[ArticleEntry, ...]


def may_promote(session: Session, editor: Editor, ticket: Ticket) -> bool:
    """Knowledge managers and admins: any ticket; agents: their teams' or their own."""
    if editor.roles & MANAGER_ROLES:
        return True
    if "agent" not in editor.roles or editor.id is None:
        return False
    user = session.get(User, editor.id)
    if user is None or not user.active:
        return False
    return ticket.team in user.team_names or ticket.assignee_id == editor.id


def _load(session: Session, editor: Editor, reference: str, *, lock: bool = False) -> Ticket:
    stmt = select(Ticket).where(Ticket.reference == (reference or "").strip().upper())
    if lock:
        stmt = stmt.with_for_update(of=Ticket)
    ticket = session.scalars(stmt).unique().first()
    if ticket is None:
        raise TicketNotFound(reference)
    if not may_promote(session, editor, ticket):
        if editor.id is not None and ticket.requester_id == editor.id:
            raise TicketForbidden("only staff may promote a ticket to an article")
        raise TicketNotFound(reference)
    return ticket


def _open_draft(session: Session, ticket: Ticket) -> str | None:
    found = session.scalar(
        select(TicketPromotion.draft_id)
        .join(Draft, Draft.id == TicketPromotion.draft_id)
        .where(TicketPromotion.ticket_id == ticket.id, Draft.status.in_(OPEN_DRAFT_STATUSES))
        .order_by(TicketPromotion.id.desc())
        .limit(1)
    )
    return str(found) if found is not None else None


def _source(session: Session, search: SearchService, ticket: Ticket) -> PromotionSource:
    messages = session.scalars(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id)
        .order_by(TicketMessage.created_at, TicketMessage.id)
    ).all()
    linked = session.scalars(
        select(TicketArticle.article_id)
        .where(TicketArticle.ticket_id == ticket.id)
        .order_by(TicketArticle.linked_at, TicketArticle.id)
    ).all()
    related: list[RelatedArticle] = []
    for article_id in linked:
        entry = search.get_entry(article_id, ticket.lang, visibility="internal") or (
            search.get_entry(article_id, visibility="internal")
        )
        if entry is not None:
            related.append(RelatedArticle(entry.id, entry.lang, entry.title))
    requester = ticket.requester
    names = [n for n in (ticket.visitor_name, requester.name if requester else None) if n]
    emails = [e for e in (ticket.visitor_email, requester.email if requester else None) if e]
    return PromotionSource(
        reference=ticket.reference,
        subject=ticket.subject,
        body=ticket.body,
        lang=ticket.lang,
        category=ticket.category,
        tags=tuple(ticket.tags or ()),
        resolution_note=ticket.resolution_note,
        messages=tuple(
            SourceMessage(
                body=m.body,
                internal=m.internal,
                from_requester=m.author_id is not None and m.author_id == ticket.requester_id,
                author_name=m.author_name,
            )
            for m in messages
        ),
        related=tuple(related),
        names=tuple(names),
        emails=tuple(emails),
    )


def _similar(search: SearchService, draft: DraftInput) -> tuple[ArticleEntry, ...]:
    text = f"{draft.title}\n{draft.title}\n{draft.markdown}"
    return tuple(search.similar(text, lang=draft.lang, limit=SIMILAR))


def similar_for_ticket(
    session: Session, search: SearchService, editor: Editor, reference: str
) -> PromotionPreview:
    """The confirmation page: the draft that would be made and the articles it may repeat."""
    ticket = _load(session, editor, reference)
    draft = to_draft(_source(session, search, ticket))
    return PromotionPreview(
        ticket=PromotionTicket(ticket.reference, ticket.subject, ticket.lang, ticket.status),
        draft=draft,
        similar=_similar(search, draft),
        open_draft_id=_open_draft(session, ticket),
    )


def promote_ticket(
    session: Session,
    repository: ArticleRepository,
    search: SearchService,
    settings: Settings,
    editor: Editor,
    reference: str,
    *,
    now: dt.datetime,
) -> PromotionOutcome:
    """Create the draft article of a resolved or closed ticket and record the promotion.

    Raises TicketNotFound (404), TicketForbidden (403), InvalidTransition when the ticket is
    not resolved or closed and AlreadyPromoted when a draft from it is still open (409).
    """
    ticket = _load(session, editor, reference, lock=True)
    if ticket.status not in PROMOTABLE_STATUSES:
        raise InvalidTransition(ticket.status, "promoted", "only a resolved ticket is promoted")
    existing = _open_draft(session, ticket)
    if existing is not None:
        raise AlreadyPromoted(ticket.status, existing)
    data = to_draft(_source(session, search, ticket))
    similar = _similar(search, data)
    draft = create_draft(
        session,
        repository,
        settings,
        editor,
        data,
        source_tickets=(ticket.reference,),
        promoted=True,
        now=now,
    )
    # Straight into the review queue: the knowledge managers see it from the moment it
    # exists (an agent does not edit articles, so there is nothing to wait for).
    submit_draft(session, settings, editor, draft.id, now=now)
    draft = get_draft(session, repository, draft.id)
    session.add(
        TicketPromotion(
            ticket_id=ticket.id,
            draft_id=draft.id,
            article_id=draft.article_id,
            lang=draft.lang,
            promoted_by_id=editor.id,
            created_at=now,
        )
    )
    session.add(
        TicketHistory(
            ticket_id=ticket.id,
            actor_id=editor.id,
            actor_name=editor.name,
            action="promoted",
            field=None,
            old_value=None,
            new_value=draft.id,
            note=draft.title[:500],
            created_at=now,
        )
    )
    session.flush()
    return PromotionOutcome(draft=draft, similar=similar)
