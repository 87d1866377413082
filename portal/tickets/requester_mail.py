"""Mail to the person who asked for help: composed inside the use case and written to the
outbox (portal.notify.outbox) in its transaction, so the mail leaves if and only if the change
commits; also returned in ``TicketResult.mails`` for the page to say a mail was sent."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from sqlalchemy.orm import Session

from portal.accounts.mail_preferences import wants_mail
from portal.config import TicketSettings
from portal.notify.mail import OutgoingMail
from portal.notify.messages import compose
from portal.notify.outbox import enqueue
from portal.tickets.models import Ticket
from portal.tickets.reply_tokens import reply_route


def _contact(ticket: Ticket) -> tuple[str, str, str] | None:
    """Where mail for the requester goes: (address, name, language)."""
    if ticket.requester is not None:
        if not ticket.requester.active:
            return None
        return ticket.requester.email, ticket.requester.name, ticket.requester.lang
    if ticket.visitor_email:
        return ticket.visitor_email, ticket.visitor_name or "", ticket.lang
    return None


def mail_requester(
    session: Session,
    ticket: Ticket,
    settings: TicketSettings,
    kind: str,
    *,
    now: dt.datetime,
    link: str | None = None,
    due: dt.datetime | None = None,
    resumes: dt.datetime | None = None,
    **values: object,
) -> tuple[OutgoingMail, ...]:
    """Queue the ``kind`` mail to the requester or visitor; none for a deactivated account
    or a requester who turned ``kind`` off. ``link`` replaces the ticket page's address (a
    visitor's private link, which they always get: it is their only way back); ``due`` and
    ``resumes`` say when to expect an answer and when work resumes, in the recipient's language
    and the site's time zone."""
    contact = _contact(ticket)
    if contact is None:
        return ()
    email, name, lang = contact
    if ticket.requester is not None and not wants_mail(session, email, kind):
        return ()
    base = settings.public_url.rstrip("/")
    if ticket.requester is None:
        # A visitor has no account to open the ticket page with: their mails say so.
        kind = f"{kind}_visitor"
    mail = compose(
        kind,
        lang,
        email,
        name=name,
        reference=ticket.reference,
        subject=ticket.subject,
        link=link or settings.ticket_url(ticket.reference),
        new_link=f"{base}/tickets/new",
        renew_link=f"{base}/tickets/link",
        due=due,
        resumes=resumes,
        timezone=settings.timezone,
        **values,
    )
    mail = with_reply_route(mail, settings, ticket)
    enqueue(session, mail, now=now)
    return (mail,)


def with_reply_route(mail: OutgoingMail, settings: TicketSettings, ticket: Ticket) -> OutgoingMail:
    """``mail`` about ``ticket`` with the Reply-To, Message-ID and header that let its
    recipient answer by mail (``portal.tickets.reply_tokens``)."""
    route = reply_route(settings, ticket.id, mail.to)
    return replace(
        mail,
        reply_to=route.reply_to,
        message_id=mail.message_id or route.message_id,
        headers=mail.headers + route.headers,
    )
