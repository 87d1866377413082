"""Opening tickets: self-service from the "still need help?" form or the API, with the trail
of searches and articles the person tried, and agents recording a contact on someone's
behalf. Each ticket gets the next ``HD-`` reference."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.accounts.errors import ValidationError as AccountValidationError
from portal.accounts.models import User, UserInfo
from portal.accounts.services import normalize_email
from portal.config import TicketSettings
from portal.events import record_event
from portal.tickets import service_levels
from portal.tickets.access import require_staff
from portal.tickets.attachments import attach_file, check_file
from portal.tickets.errors import LoginRequired, ValidationError
from portal.tickets.history import record_change
from portal.tickets.models import Ticket, TicketCounter, TicketSearch, TicketViewedArticle
from portal.tickets.requester_mail import mail_requester
from portal.tickets.routing import route_new_ticket
from portal.tickets.states import CHANNELS, IMPACT_PRIORITY, IMPACTS, ON_BEHALF_CHANNELS
from portal.tickets.validation import (
    MAX_BODY,
    valid_article_id,
    valid_category,
    valid_impact,
    valid_priority,
    valid_tags,
    valid_text,
)
from portal.tickets.values import SelfServiceTrail, TicketDraft, TicketResult, ticket_info
from portal.tickets.visitor_links import issue_visitor_link

REFERENCE_PREFIX = "HD-"
MAX_TRAIL = 50


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


def _priority(draft: TicketDraft, opener: UserInfo | None) -> tuple[str, str | None]:
    """The priority and impact a new ticket starts with.

    A requester (or visitor) states who is affected; the priority follows from it by
    ``IMPACT_PRIORITY`` and only staff change it later. Staff opening a ticket (for someone,
    or through the API) may state the priority as well. A requester who sends one is refused,
    naming the field, so that a client learns the rule instead of seeing it ignored.
    """
    impact = valid_impact(draft.impact)
    if draft.priority is not None:
        if opener is None or not opener.is_staff:
            raise ValidationError(
                "priority",
                "Requesters cannot set the priority; say who is affected with "
                f"'impact' ({', '.join(IMPACTS)}) and the support team sets the priority.",
                "not_allowed",
            )
        return valid_priority(draft.priority), impact
    return IMPACT_PRIORITY.get(impact or "me", "normal"), impact


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
    files: tuple[tuple[str, bytes], ...] = (),
    now: dt.datetime,
) -> TicketResult:
    # Files are checked before anything is written, so a refused file names its field
    # while the rest of the form is still as typed.
    for _name, data in files:
        check_file(settings, data)
    if len(files) > settings.attachments_per_ticket:
        raise ValidationError("file", "This ticket has reached its number of files.", "too_many")
    subject = " ".join(valid_text("subject", draft.subject, 200).split())
    body = valid_text("body", draft.body, MAX_BODY)
    priority, impact = _priority(draft, opened_by or requester)
    category = valid_category(draft.category)
    tags = valid_tags(draft.tags)
    if draft.lang not in ("ar", "en"):
        raise ValidationError("lang", "Choose ar or en.", "choice")
    if channel not in CHANNELS:
        raise ValidationError("channel", f"Choose one of: {', '.join(CHANNELS)}.", "choice")
    visitor_name = visitor_email = None
    if requester is None:
        visitor_name = valid_text("visitor_name", draft.visitor_name or "", 200)
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
        impact=impact,
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
                article_id=valid_article_id(view.article_id, "viewed_articles"),
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
    uploader_name = None if (opened_by or requester) else name
    stored = tuple(
        attach_file(
            session,
            settings,
            ticket,
            opened_by or requester,
            filename=filename,
            data=data,
            uploader_name=uploader_name,
            now=now,
        )
        for filename, data in files
    )
    link = None
    if requester is None:
        link = settings.visitor_url(issue_visitor_link(session, ticket, now=now))
    route_new_ticket(session, ticket, requester.email if requester else visitor_email, now)
    # Deadlines from the service-level policy (after routing, which decides team and category).
    resumes = service_levels.on_open(session, ticket, settings)
    session.flush()
    session.refresh(ticket)
    info = ticket_info(ticket)
    if resumes is not None:
        info = replace(info, sla=replace(info.sla, resumes_at=resumes))
    mails = mail_requester(
        session,
        ticket,
        settings,
        "ticket_opened",
        now=now,
        link=link,
        due=ticket.first_response_due,
        resumes=resumes,
    )
    return TicketResult(info, mails, visitor_link=link, attachments=stored)


def open_ticket(
    session: Session,
    settings: TicketSettings,
    *,
    requester: UserInfo | None,
    draft: TicketDraft,
    trail: SelfServiceTrail = SelfServiceTrail(),  # noqa: B008  (frozen, so sharing is safe)
    visitor: str | None = None,
    files: tuple[tuple[str, bytes], ...] = (),
    now: dt.datetime,
) -> TicketResult:
    """Self-service "still need help?": a logged-in requester, or a visitor with name and
    e-mail (unless switched off). ``trail`` is what they kept of their searches and views;
    ``visitor`` is the anonymous funnel id of ``portal.events``; ``files`` are (name, bytes)
    attached with the request (the attachment rules of replies). A visitor's ticket gets a
    private link (``TicketResult.visitor_link``), mailed to them."""
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
        files=files,
        now=now,
    )


def open_ticket_by_mail(
    session: Session,
    settings: TicketSettings,
    *,
    requester: UserInfo | None,
    draft: TicketDraft,
    files: tuple[tuple[str, bytes], ...] = (),
    now: dt.datetime,
) -> TicketResult:
    """A mail to the support address (``portal.mailin``): from a known, active account's
    address a ticket as that person, otherwise a visitor's ticket (when visitors may open
    tickets), on the ``email`` channel. ``files`` are already checked by the caller."""
    if requester is None and not settings.visitor_tickets_enabled:
        raise LoginRequired("log in to open a ticket")
    return _create(
        session,
        settings,
        draft=draft,
        requester=requester,
        opened_by=None,
        channel="email",
        trail=SelfServiceTrail(),
        visitor=None,
        files=files,
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
