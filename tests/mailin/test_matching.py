"""How mail in finds (or does not find) its ticket, through the real listener on loopback:
the bare reference or a forged token never reaches a ticket, the token in the headers alone
does; ``Precedence`` and Sanad's own messages open nothing and are not answered; a second
support address (SANAD_MAIL_ADDRESSES) and LMTP are taken like the first; with visitor
tickets switched off a stranger is told where to go instead."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.db import transaction
from portal.mailin.server import make_listener
from portal.notify.outbox import OutboxMessage
from portal.tickets.models import Ticket, TicketMessage
from tests.support.mail import free_port

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"
SECOND = "it@example.org"


@pytest.fixture
def app_overrides(
    request: pytest.FixtureRequest, app_overrides: dict[str, object]
) -> dict[str, object]:
    return {
        **app_overrides,
        "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>",
        "SANAD_MAIL_ADDRESSES": SECOND,
        **getattr(request, "param", {}),
    }


def message(
    sender: str, subject: str, body: str, to: str = SUPPORT, **headers: str
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = headers.pop("message_id", make_msgid(domain="mail.example.net"))
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return mail


def send(port: int, mail: EmailMessage, *, lmtp: bool = False) -> None:
    client = smtplib.LMTP("127.0.0.1", port) if lmtp else smtplib.SMTP("127.0.0.1", port)
    with client:
        client.send_message(mail, to_addrs=[str(mail["To"])])


def tickets(app: Flask) -> list[tuple[str, str, int]]:
    """(subject, visitor address, public replies after the first message) of every ticket."""
    with transaction(app.extensions["sanad"].sessions) as session:
        rows = session.execute(
            select(Ticket.subject, Ticket.visitor_email, func.count(TicketMessage.id))
            .outerjoin(
                TicketMessage,
                (TicketMessage.ticket_id == Ticket.id) & TicketMessage.internal.is_(False),
            )
            .group_by(Ticket.id, Ticket.subject, Ticket.visitor_email)
            .order_by(Ticket.id)
        ).all()
    return [(subject, email or "", count) for subject, email, count in rows]


def outbox(app: Flask) -> list[tuple[str, str, str | None]]:
    """(to, message id, reply-to) of every queued mail, oldest first."""
    with transaction(app.extensions["sanad"].sessions) as session:
        rows = session.execute(
            select(
                OutboxMessage.to_address, OutboxMessage.message_id, OutboxMessage.reply_to
            ).order_by(OutboxMessage.id)
        ).all()
    return [(to, message_id, reply_to) for to, message_id, reply_to in rows]


def first_ticket(app: Flask) -> tuple[int, str]:
    """The id and reference of the first ticket."""
    with transaction(app.extensions["sanad"].sessions) as session:
        row = session.execute(select(Ticket.id, Ticket.reference).order_by(Ticket.id)).first()
    assert row is not None
    return row[0], row[1]


def test_the_bare_reference_or_a_forged_token_never_reaches_the_ticket(
    app: Flask, listener: int
) -> None:
    send(listener, message("sara@example.net", "Printer offline", "It says offline."))
    ticket_id, ref = first_ticket(app)
    [(_, _, genuine)] = [row for row in outbox(app) if row[0] == "sara@example.net"]
    assert genuine is not None
    assert ref.lower() not in genuine.lower()
    # Anyone can type the reference into a subject, or make up a token of the right shape.
    send(listener, message("mallory@example.net", f"Re: [{ref}] Printer offline", "Close it."))
    forged = f"help+r{ticket_id}-{'a' * 26}@example.org"
    send(listener, message("mallory@example.net", "Re: Printer offline", "Me too.", to=forged))
    assert tickets(app) == [
        ("Printer offline", "sara@example.net", 0),
        (f"Re: [{ref}] Printer offline", "mallory@example.net", 0),
        ("Re: Printer offline", "mallory@example.net", 0),
    ]


def test_the_token_in_the_headers_alone_brings_a_reply_to_its_ticket(
    app: Flask, listener: int
) -> None:
    send(listener, message("sara@example.net", "Printer offline", "It says offline."))
    [(_, notification_id, _)] = [row for row in outbox(app) if row[0] == "sara@example.net"]
    # A mail program that answered the plain support address, keeping only In-Reply-To.
    send(
        listener,
        message(
            "sara@example.net",
            "Re: Printer offline",
            "It works again.",
            In_Reply_To=notification_id,
            References=notification_id,
        ),
    )
    assert tickets(app) == [("Printer offline", "sara@example.net", 1)]


def test_bulk_mail_and_sanads_own_messages_open_nothing_and_are_not_answered(
    app: Flask, listener: int
) -> None:
    send(listener, message("sara@example.net", "Printer offline", "It says offline."))
    before = outbox(app)
    [(_, our_id, _)] = before
    send(listener, message("news@example.net", "Our newsletter", "Offers.", Precedence="bulk"))
    send(listener, message("list@example.net", "[list] digest", "Posts.", Precedence="list"))
    # One of Sanad's own mails come back (a forwarding loop), and mail "from" Sanad itself.
    send(listener, message("sara@example.net", "Printer offline", "Looped.", message_id=our_id))
    send(listener, message(f"Help desk <{SUPPORT}>", "Re: Printer offline", "Loop."))
    assert tickets(app) == [("Printer offline", "sara@example.net", 0)]
    assert outbox(app) == before


def test_a_second_support_address_and_lmtp_are_taken_like_the_first(app: Flask) -> None:
    services = app.extensions["sanad"]
    port = free_port()
    taking = make_listener(
        services.sessions, services.settings, host="127.0.0.1", port=port, lmtp=True
    )
    taking.start()
    try:
        send(port, message("sara@example.net", "VPN drops", "Every hour.", to=SECOND), lmtp=True)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(port, message("sara@example.net", "Hi", "Text", to="other@example.org"), lmtp=True)
    finally:
        taking.stop()
    assert tickets(app) == [("VPN drops", "sara@example.net", 0)]


@pytest.mark.parametrize(
    "app_overrides",
    [{"SANAD_VISITOR_TICKETS": "false"}],
    indirect=True,
)
def test_with_visitor_tickets_off_a_stranger_is_told_where_to_go(app: Flask, listener: int) -> None:
    send(listener, message("sara@example.net", "Printer offline", "It says offline."))
    assert tickets(app) == []
    with transaction(app.extensions["sanad"].sessions) as session:
        [told] = session.scalars(select(OutboxMessage)).all()
        assert told.to_address == "sara@example.net"
        assert "/tickets/new" in told.text_body
