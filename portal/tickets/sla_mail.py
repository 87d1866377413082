"""The service-level mails to staff (warning, breach), in Arabic and English."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from portal.config import TicketSettings
from portal.notify.mail import OutgoingMail
from portal.tickets.models import Ticket

TARGET_NAMES = {
    "en": {
        "first_response": "first response",
        "next_response": "next response",
        "resolution": "resolution",
    },
    "ar": {"first_response": "الرد الأول", "next_response": "الرد التالي", "resolution": "الحل"},
}

TEXTS = {
    "warning": {
        "en": (
            "[{reference}] {target} due {due}: {subject}",
            "Hello {name},\n\nTicket {reference} ({subject}) is nearing its {target} deadline: "
            "{due}. It is at tier {tier}, with {team}.\n\n{link}\n",
        ),
        "ar": (
            "[{reference}] موعد {target} {due}: {subject}",
            "مرحبًا {name}،\n\nتقترب التذكرة {reference} ({subject}) من موعد {target}: {due}. "
            "هي في المستوى {tier} لدى {team}.\n\n{link}\n",
        ),
    },
    "breach": {
        "en": (
            "[{reference}] {target} deadline missed, now tier {tier}: {subject}",
            "Hello {name},\n\nTicket {reference} ({subject}) missed its {target} deadline "
            "({due}). It now waits at tier {tier}, with {team}; when it is resolved, record "
            "the root cause.\n\n{link}\n",
        ),
        "ar": (
            "[{reference}] فات موعد {target}، الآن في المستوى {tier}: {subject}",
            "مرحبًا {name}،\n\nفات التذكرةَ {reference} ({subject}) موعدُ {target} ({due}). "
            "هي الآن في المستوى {tier} لدى {team}؛ وعند حلّها سجّل السبب الجذري.\n\n{link}\n",
        ),
    },
    # To the agent an escalation gave the ticket to (portal.tickets.escalation).
    "assigned": {
        "en": (
            "[{reference}] Escalated to you (tier {tier}): {subject}",
            "Hello {name},\n\nTicket {reference} ({subject}) was escalated to tier {tier} "
            "({team}) and given to you.\nWhy: {why}\n\n{link}\n",
        ),
        "ar": (
            "[{reference}] صُعِّدت إليك (المستوى {tier}): {subject}",
            "مرحبًا {name}،\n\nصُعِّدت التذكرة {reference} ({subject}) إلى المستوى {tier} "
            "({team}) وأُسندت إليك.\nالسبب: {why}\n\n{link}\n",
        ),
    },
}


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
    chosen = lang if lang in ("ar", "en") else "ar"
    subject, body = TEXTS[kind][chosen]
    values = {
        "name": name,
        "reference": ticket.reference,
        "subject": " ".join(ticket.subject.split()),
        "target": TARGET_NAMES[chosen].get(target, target),
        "due": due.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M %Z"),
        "tier": tier,
        "team": team or ticket.team,
        "link": settings.ticket_url(ticket.reference),
    }
    return OutgoingMail(
        to=to, subject=subject.format(**values), body=body.format(**values), lang=chosen
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
    chosen = lang if lang in ("ar", "en") else "ar"
    subject, body = TEXTS["assigned"][chosen]
    values = {
        "name": name,
        "reference": ticket.reference,
        "subject": " ".join(ticket.subject.split()),
        "tier": tier,
        "team": team or ticket.team,
        "why": " ".join(why.split())[:500],
        "link": f"{settings.public_url.rstrip('/')}/agent/tickets/{ticket.reference}",
    }
    return OutgoingMail(
        to=to, subject=subject.format(**values), body=body.format(**values), lang=chosen
    )
