"""Mail in through Sanad's own SMTP listener on loopback: a stranger's mail opens a visitor
ticket, the same Message-ID twice opens one, automatic mail opens none, other recipients are
refused, and a reply to the notification lands on its ticket without the quoted history."""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from email.header import Header
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import pytest
from flask import Flask
from sqlalchemy import select

from portal.db import transaction
from portal.mailin.server import make_listener
from portal.notify.outbox import OutboxMessage
from portal.tickets.models import Ticket, TicketMessage
from tests.support.mail import free_port

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"
SUBJECT = "لا يصلني رمز التحقق"


@pytest.fixture
def listener(app: Flask) -> Iterator[int]:
    services = app.extensions["sanad"]
    port = free_port()
    settings = services.settings
    taking = make_listener(services.sessions, settings, host="127.0.0.1", port=port)
    taking.start()
    yield port
    taking.stop()


@pytest.fixture
def app_overrides(app_overrides: dict[str, object]) -> dict[str, object]:
    return {**app_overrides, "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>"}


def message(sender: str, subject: str, body: str, **headers: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = formataddr((str(Header("سارة أحمد", "utf-8")), sender))
    mail["To"] = SUPPORT
    mail["Subject"] = subject
    mail["Message-ID"] = headers.pop("message_id", make_msgid(domain="mail.example.net"))
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail


def send(port: int, mail: EmailMessage, recipients: tuple[str, ...] = (SUPPORT,)) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(mail, to_addrs=list(recipients))


def tickets(app: Flask) -> list[Ticket]:
    with transaction(app.extensions["sanad"].sessions) as session:
        rows = session.scalars(select(Ticket).order_by(Ticket.id)).all()
        session.expunge_all()
        return list(rows)


def test_a_strangers_mail_opens_one_visitor_ticket_and_automatic_mail_opens_none(
    app: Flask, listener: int
) -> None:
    first = message("sara@example.net", SUBJECT, "أحاول الدخول من الجوال ولا تصل الرسالة.")
    send(listener, first)
    send(listener, first)  # the sender's server retried: same Message-ID
    send(
        listener,
        message("sara@example.net", "Out of office", "Back Monday.", Auto_Submitted="auto-replied"),
    )
    bounce = message("mailer-daemon@example.net", "Undelivered", "550 no such user")
    send(listener, bounce)
    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send(listener, message("sara@example.net", "Hi", "Text"), ("someone@else.org",))
    opened = tickets(app)
    assert [(t.subject, t.channel, t.visitor_email) for t in opened] == [
        (SUBJECT, "email", "sara@example.net")
    ]


def test_a_reply_to_the_notification_lands_on_its_ticket_without_the_quote(
    app: Flask, listener: int
) -> None:
    send(listener, message("sara@example.net", SUBJECT, "لا تصل الرسالة إلى جوالي."))
    (ticket,) = tickets(app)
    with transaction(app.extensions["sanad"].sessions) as session:
        received = session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == "sara@example.net")
        ).first()
        assert received is not None
        reply_to = received.reply_to
        assert reply_to is not None
        assert "+" in reply_to  # the token, never the bare reference
        assert ticket.reference not in reply_to
    reply = message(
        "sara@example.net",
        f"Re: {SUBJECT}",
        "وصلت الرسالة الآن، شكرًا.\n\nOn Mon, 30 Nov 2026, Help desk wrote:\n> old text\n",
    )
    reply.replace_header("To", reply_to)
    send(listener, reply, (reply_to,))
    assert len(tickets(app)) == 1  # a reply, not a new ticket
    with transaction(app.extensions["sanad"].sessions) as session:
        bodies = session.scalars(
            select(TicketMessage.body).where(
                TicketMessage.ticket_id == ticket.id, TicketMessage.internal.is_(False)
            )
        ).all()
    assert any(body.strip() == "وصلت الرسالة الآن، شكرًا." for body in bodies), bodies
