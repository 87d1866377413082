"""Mail to the person who asked for help: composed inside the use case, returned in
``TicketResult.mails`` and sent by the caller after the commit
(``portal.notify.mail.send_mails``)."""

from __future__ import annotations

import datetime as dt

from portal.config import TicketSettings
from portal.notify.mail import OutgoingMail
from portal.notify.messages import compose, expectation_phrase
from portal.tickets.models import Ticket


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
    ticket: Ticket,
    settings: TicketSettings,
    kind: str,
    *,
    link: str | None = None,
    due: dt.datetime | None = None,
    resumes: dt.datetime | None = None,
    **values: object,
) -> tuple[OutgoingMail, ...]:
    """The ``kind`` mail to the requester or visitor; none for a deactivated account.
    ``link`` replaces the ticket page's address (a visitor's private link); ``due`` and
    ``resumes`` say when to expect an answer and when work resumes, in the recipient's language
    and the site's time zone."""
    contact = _contact(ticket)
    if contact is None:
        return ()
    email, name, lang = contact
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
        expect=expectation_phrase(due, resumes, lang, settings.timezone),
        **values,
    )
    return (mail,)
