"""The conversation on a ticket: replies and internal notes, and the detail page's content
(messages, the self-service trail, linked articles, attachments, the history for staff, and
the actions the viewer may take)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.notify.mail import OutgoingMail
from portal.tickets import service_levels
from portal.tickets.access import check_may_reply, load_ticket, may_work, within_reopen_window
from portal.tickets.history import record_change, set_status
from portal.tickets.models import (
    Ticket,
    TicketArticle,
    TicketAttachment,
    TicketHistory,
    TicketMessage,
    TicketSearch,
    TicketViewedArticle,
)
from portal.tickets.requester_mail import mail_requester
from portal.tickets.states import ACTIVE_STATUSES, TIERS
from portal.tickets.validation import MAX_BODY, valid_text
from portal.tickets.values import (
    AttachmentInfo,
    HistoryEntry,
    MessageInfo,
    SelfServiceTrail,
    TicketDetail,
    TicketResult,
    TrailSearch,
    TrailView,
    ticket_info,
)


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
    history = _history(session, ticket, everything=staff)
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
        sla_explanation=service_levels.explanation_for(session, ticket, settings, now),
    )


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
    ticket = check_may_reply(session, viewer, reference, internal=internal)
    staff = may_work(viewer, ticket)
    assert viewer is not None  # load_ticket refuses anonymous viewers
    text = valid_text("body", body, MAX_BODY)
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
        service_levels.on_answered(ticket)
        if ticket.status == "new":
            set_status(session, ticket, viewer, "open", now)
        if ticket.requester_id != viewer.id:
            mails = mail_requester(
                session, ticket, settings, "ticket_reply", now=now, author=viewer.name, body=text
            )
    elif not staff and not internal:
        if ticket.status == "pending":
            set_status(session, ticket, viewer, "open", now)
        service_levels.on_awaiting(session, ticket, now)
    session.flush()
    return TicketResult(ticket_info(ticket), mails)


def add_visitor_reply(
    session: Session,
    ticket: Ticket,
    name: str,
    text: str,
    now: dt.datetime,
    *,
    viewer: UserInfo | None = None,
) -> None:
    """A reply from someone without an account (a visitor's private link, or mail from the
    ticket's address), or files only from its requester (``viewer``): kept as a public
    message, a pending ticket reopens in their name, and the next-response clock starts as
    for any requester's message."""
    if text:
        session.add(
            TicketMessage(
                ticket_id=ticket.id,
                author_id=None,
                author_name=name,
                body=text,
                internal=False,
                created_at=now,
            )
        )
        record_change(session, ticket, None, "reply", now, actor_name=name)
    if ticket.status == "pending":
        set_status(session, ticket, viewer, "open", now, actor_name=name)
    if text:
        service_levels.on_awaiting(session, ticket, now)


def public_detail(session: Session, ticket: Ticket, actions: frozenset[str]) -> TicketDetail:
    """The ticket as the person who asked sees it (no internal notes or files; of the history
    only its resolutions, reopenings and closing), for a viewer the caller has already let
    in: a visitor's private link."""
    links = session.scalars(
        select(TicketArticle.article_id)
        .where(TicketArticle.ticket_id == ticket.id)
        .order_by(TicketArticle.linked_at, TicketArticle.id)
    ).all()
    rows = session.scalars(
        select(TicketAttachment)
        .where(TicketAttachment.ticket_id == ticket.id, TicketAttachment.internal.is_(False))
        .order_by(TicketAttachment.id)
    ).all()
    return TicketDetail(
        ticket=ticket_info(ticket),
        messages=_messages(session, ticket, staff=False),
        trail=_trail(session, ticket),
        linked_articles=tuple(links),
        attachments=tuple(
            AttachmentInfo(a.id, a.filename, a.content_type, a.size, a.internal, a.created_at)
            for a in rows
        ),
        history=_history(session, ticket, everything=False),
        actions=actions,
    )


# What the requester sees of the history: every resolution (with its note), reopening (with
# its reason) and closing, so that a second resolution never hides the first.
_REQUESTER_STATUSES = frozenset({"resolved", "closed"})


def _history(session: Session, ticket: Ticket, *, everything: bool) -> tuple[HistoryEntry, ...]:
    rows = session.scalars(
        select(TicketHistory)
        .where(TicketHistory.ticket_id == ticket.id)
        .order_by(TicketHistory.created_at, TicketHistory.id)
    ).all()
    return tuple(
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
        for h in rows
        if everything
        or (
            h.field == "status"
            and (h.new_value in _REQUESTER_STATUSES or h.old_value in _REQUESTER_STATUSES)
        )
    )
