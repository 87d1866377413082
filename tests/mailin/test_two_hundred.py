"""Two hundred mails through ``sanad mail serve``'s listener on loopback, the way a mail server
delivers them (one connection, and two at once for copies racing each other, retrying what
is answered 4xx): Arabic subjects in encoded-words, windows-1256, HTML-only bodies,
attachments, replies to the notifications by their tokens, auto-replies, bounces, and copies
of the same Message-ID. Exactly the expected tickets and replies come out: none lost, none
doubled, nothing answered that should not be."""

from __future__ import annotations

import base64
import smtplib
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, make_msgid

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.db import transaction
from portal.mailin.models import InboundMail
from portal.notify.outbox import OutboxMessage
from portal.tickets.models import Ticket, TicketAttachment, TicketMessage

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture
def app_overrides(app_overrides: dict[str, object]) -> dict[str, object]:
    return {**app_overrides, "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>"}


@dataclass(frozen=True)
class Mail:
    raw: bytes
    sender: str  # MAIL FROM ("" for a bounce)
    to: str
    message_id: str


@dataclass
class Relay:
    """A sending server: retries what the listener answers 4xx, as a real one would."""

    port: int
    retries: int = 0

    def deliver(self, mails: list[Mail]) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=30) as client:
            for mail in mails:
                for _ in range(50):
                    try:
                        client.sendmail(mail.sender, [mail.to], mail.raw)
                        break
                    except smtplib.SMTPDataError as exc:
                        if not 400 <= exc.smtp_code < 500:
                            raise
                        self.retries += 1
                        time.sleep(0.05)
                else:
                    pytest.fail(f"{mail.message_id} never accepted")


def new_mail(number: int, kind: str) -> tuple[Mail, str, str]:
    """A first message from visitor ``number``; with its expected subject and body."""
    sender = f"visitor{number}@example.net"
    message_id = f"<new-{number}@mail.example.net>"
    subject = f"لا يعمل الحساب رقم {number}"
    body = f"السلام عليكم، هذه المشكلة رقم {number}."
    if kind == "cp1256":
        raw = (
            b"From: "
            + "عميل".encode("cp1256")
            + f" <{sender}>\r\n".encode()
            + f"To: {SUPPORT}\r\nMessage-ID: {message_id}\r\n".encode()
            + b"Subject: =?windows-1256?B?"
            + base64.b64encode(subject.encode("cp1256"))
            + b"?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=windows-1256\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body.encode("cp1256") + b"\r\n"
        )
        return Mail(raw, sender, SUPPORT, message_id), subject, body
    mail = EmailMessage()
    mail["From"] = formataddr((str(Header(f"زائر {number}", "utf-8")), sender))
    mail["To"], mail["Message-ID"] = SUPPORT, message_id
    if kind == "english":
        subject, body = f"Invoice {number} is missing", f"Where is invoice {number}?"
    mail["Subject"] = subject  # non-ASCII: written as an encoded-word
    if kind == "html":
        mail.set_content(f"<html><body><p><b>{body}</b></p><p>شكرًا</p></body></html>", "html")
        body = f"{body}\nشكرًا"
    else:
        mail.set_content(body)
    if kind in ("files", "refused"):
        mail.add_attachment(PNG, maintype="image", subtype="png", filename=f"shot{number}.png")
    if kind == "refused":
        mail.add_attachment(
            b"MZ\x90\x00" + b"\x00" * 64, "application", "octet-stream", filename="a.exe"
        )
    return Mail(mail.as_bytes(policy=SMTP), sender, SUPPORT, message_id), subject, body


def reply_mail(number: int, reply_to: str, notification_id: str) -> tuple[Mail, str]:
    text = f"شكرًا، هذا ردي على الطلب {number}."
    mail = EmailMessage()
    mail["From"], mail["To"] = f"visitor{number}@example.net", reply_to
    mail["Subject"] = f"Re: لا يعمل الحساب رقم {number}"
    mail["Message-ID"] = f"<reply-{number}@mail.example.net>"
    mail["In-Reply-To"] = mail["References"] = notification_id
    mail.set_content(f"{text}\n\nOn Mon, 30 Nov 2026, Help desk wrote:\n> the old text\n")
    return Mail(
        mail.as_bytes(policy=SMTP), f"visitor{number}@example.net", reply_to, mail["Message-ID"]
    ), text


def automatic_mail(number: int, reply_to: str, notification_id: str, kind: str) -> Mail:
    mail = EmailMessage()
    mail["To"], mail["Message-ID"] = reply_to, make_msgid(domain="auto.example.net")
    mail["In-Reply-To"] = notification_id
    if kind == "auto-reply":
        mail["From"], mail["Subject"] = f"visitor{number}@example.net", "خارج المكتب"
        mail["Auto-Submitted"] = "auto-replied"
        mail.set_content("أنا خارج المكتب حتى الأحد.")
        return Mail(
            mail.as_bytes(policy=SMTP), f"visitor{number}@example.net", reply_to, mail["Message-ID"]
        )
    message_id = make_msgid(domain="bounce.example.net")
    raw = (
        "From: Mail Delivery System <mailer-daemon@example.net>\r\n"
        f"To: {reply_to}\r\nSubject: Undelivered Mail\r\nMessage-ID: {message_id}\r\n"
        f"In-Reply-To: {notification_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\n550 5.1.1 user unknown\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Final-Recipient: rfc822; visitor{number}@example.net\r\nAction: failed\r\n\r\n"
        "--b--\r\n"
    )
    return Mail(raw.encode(), "", reply_to, message_id)  # the null sender


def notifications(app: Flask) -> dict[str, tuple[str, str]]:
    """Visitor address → the reply route and Message-ID of their ticket-received mail."""
    with transaction(app.extensions["sanad"].sessions) as session:
        rows = session.execute(
            select(OutboxMessage.to_address, OutboxMessage.reply_to, OutboxMessage.message_id)
        ).all()
    return {to: (reply_to or "", message_id) for to, reply_to, message_id in rows if reply_to}


KINDS = ["arabic"] * 20 + ["cp1256"] * 10 + ["html"] * 15 + ["files"] * 10 + ["refused"] * 5
KINDS += ["english"] * 5  # 65 first messages, then 15 more sent as racing copies


def test_two_hundred_mails_make_exactly_the_expected_tickets_and_replies(
    app: Flask, listener: int
) -> None:
    relay = Relay(listener)
    expected: dict[str, tuple[str, str]] = {}  # visitor → subject, body
    firsts: list[Mail] = []
    for number, kind in enumerate(KINDS):
        mail, subject, body = new_mail(number, kind)
        firsts.append(mail)
        expected[mail.sender] = (subject, body)
    relay.deliver(firsts)  # 65

    routes = notifications(app)
    replies, texts = [], {}
    for number in range(50):
        reply_to, notification = routes[f"visitor{number}@example.net"]
        reply, text = reply_mail(number, reply_to, notification)
        replies.append(reply)
        texts[number] = text
    relay.deliver(replies)  # 50: 115

    automatic = [
        automatic_mail(number, *routes[f"visitor{number}@example.net"], kind="auto-reply")
        for number in range(40, 60)
    ] + [
        automatic_mail(number, *routes[f"visitor{number}@example.net"], kind="bounce")
        for number in range(20)
    ]
    relay.deliver(automatic)  # 40: 155

    # Copies of one Message-ID arriving at once (a server retrying on a second connection)...
    racing = []
    for number in range(len(KINDS), len(KINDS) + 15):
        mail, subject, body = new_mail(number, "arabic")
        racing.append(mail)
        expected[mail.sender] = (subject, body)
    other = Relay(listener)
    threads = [threading.Thread(target=r.deliver, args=(racing,)) for r in (relay, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()  # 30: 185
    # ... and again later, the same bytes.
    relay.deliver(replies[:10] + firsts[:5])  # 15: 200

    sent_ids = {m.message_id for m in firsts + replies + automatic + racing}
    assert len(sent_ids) == 170  # 200 mails, 30 of them copies
    with transaction(app.extensions["sanad"].sessions) as session:
        recorded = dict(session.execute(select(InboundMail.message_id, InboundMail.outcome)).all())
        tickets = session.execute(
            select(Ticket.id, Ticket.visitor_email, Ticket.subject, Ticket.body, Ticket.channel)
        ).all()
        answers = session.execute(
            select(TicketMessage.ticket_id, TicketMessage.body).where(
                TicketMessage.internal.is_(False), TicketMessage.author_id.is_(None)
            )
        ).all()
        internal = session.scalar(
            select(func.count()).select_from(TicketMessage).where(TicketMessage.internal)
        )
        files = Counter(
            session.scalars(
                select(TicketAttachment.content_type).where(
                    TicketAttachment.content_type != "message/rfc822"
                )
            )
        )
        originals = session.scalar(
            select(func.count()).where(TicketAttachment.content_type == "message/rfc822")
        )
        mailed = Counter(session.scalars(select(OutboxMessage.to_address)))

    # None lost: every Message-ID recorded once, with what became of it.
    assert set(recorded) == sent_ids
    assert Counter(recorded.values()) == {"opened": 80, "replied": 50, "ignored": 40}
    # None doubled: one ticket per first message, each as sent.
    by_sender = {
        email: (subject, body.strip(), channel) for _, email, subject, body, channel in tickets
    }
    assert len(tickets) == 80
    assert by_sender == {s: (subject, body, "email") for s, (subject, body) in expected.items()}
    # One reply on each of the first fifty tickets, trimmed of the quote.
    ticket_of = {email: ticket_id for ticket_id, email, *_ in tickets}
    assert sorted((ticket_id, body.strip()) for ticket_id, body in answers) == sorted(
        (ticket_of[f"visitor{n}@example.net"], text) for n, text in texts.items()
    )
    assert internal == 0  # no note: every reply came from the ticket's own visitor
    assert files == {"image/png": 15}  # the PNGs kept, the .exe files refused
    assert originals == 80 + 50  # the original of every ticket and reply, for the agents
    # Answered: the 80 ticket-received mails and 5 refused-file reports; no auto-reply or
    # bounce was answered, and copies were not answered again.
    assert sum(mailed.values()) == 85
    assert mailed["mailer-daemon@example.net"] == 0
    assert all(mailed[f"visitor{n}@example.net"] == 1 for n in range(65) if KINDS[n] != "refused")
    assert all(mailed[f"visitor{n}@example.net"] == 2 for n in range(65) if KINDS[n] == "refused")
