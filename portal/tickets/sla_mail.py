"""The service-level mails to staff (warning, breach): the ``sla_warning`` and ``sla_breach``
template pairs (``portal.notify.messages``), in the recipient's language, the deadline in the
site's time zone."""

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
) -> OutgoingMail:
    """The ``kind`` ("warning" or "breach") mail about ``target`` of ``ticket``."""
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
        link=settings.ticket_url(ticket.reference),
    )
