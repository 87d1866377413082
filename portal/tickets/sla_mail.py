"""The service-level mails to staff: the warning and breach (``sla_warning``, ``sla_breach``)
and the agent an escalation gave a ticket to (``ticket_escalated``), template pairs of
``portal.notify.messages``, in the recipient's language, the deadline in the site's time
zone."""

from __future__ import annotations

import datetime as dt

from portal.config import TicketSettings
from portal.notify.mail import OutgoingMail
from portal.notify.messages import compose
from portal.tickets.models import Ticket


def sla_mail(
    kind: str,
    lang: str,
    to: str,
    ticket: Ticket,
    settings: TicketSettings,
    *,
    name: str,
    target: str,
    due: dt.datetime,
    tier: int,
    team: str = "",
) -> OutgoingMail:
    """The ``kind`` ("warning" or "breach") mail about ``target`` of ``ticket``; ``team`` is
    the team's name in ``lang`` (its key when it has none)."""
    return compose(
        f"sla_{kind}",
        lang,
        to,
        timezone=settings.timezone,
        name=name,
        reference=ticket.reference,
        subject=ticket.subject,
        target=target,
        due=due,
        tier=tier,
        team=team or ticket.team,
        link=settings.ticket_url(ticket.reference),
    )


def escalation_mail(
    lang: str,
    to: str,
    ticket: Ticket,
    settings: TicketSettings,
    *,
    name: str,
    tier: int,
    team: str,
    why: str,
) -> OutgoingMail:
    """The mail to the agent an escalation gave the ticket to, with the link to its page."""
    return compose(
        "ticket_escalated",
        lang,
        to,
        timezone=settings.timezone,
        name=name,
        reference=ticket.reference,
        subject=ticket.subject,
        tier=tier,
        team=team or ticket.team,
        why=" ".join(why.split())[:500],
        link=f"{settings.public_url.rstrip('/')}/agent/tickets/{ticket.reference}",
    )
