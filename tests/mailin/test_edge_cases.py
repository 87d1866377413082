"""The edge cases of mail in, through Sanad's SMTP listener on loopback and a real database:
refused files reported back to the sender by mail while the rest is kept, the original kept
beside a reply, the per-sender hourly limit, windows-1256 (declared, and raw in a header),
HTML-only bodies and inline images."""

from __future__ import annotations

import base64
import datetime as dt
import smtplib
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import DataError, OperationalError
from sqlalchemy.orm import Session

from portal.db import transaction, utcnow
from portal.mailin.intake import is_transient, record_failure
from portal.mailin.models import InboundMail
from portal.notify.outbox import OutboxMessage
from portal.tickets.attachments import stored_path
from portal.tickets.models import Ticket, TicketAttachment, TicketMessage
from tests.support.accounts import PASSWORD, MakeUser
from tests.support.mail import Inbox
from tests.support.signing_in import log_in


def read_stored(directory: Path, stored_name: str) -> bytes:
    path = stored_path(directory, stored_name)
    assert path is not None, stored_name
    return path.read_bytes()


pytestmark = pytest.mark.db

SUPPORT = "help@example.org"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
LIMIT = 4  # SANAD_MAIL_SENDER_HOURLY_LIMIT here
MAX_BYTES = 100_000  # SANAD_ATTACHMENT_MAX_BYTES here


@pytest.fixture
def app_overrides(app_overrides: dict[str, object]) -> dict[str, object]:
    return {
        **app_overrides,
        "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>",
        "SANAD_MAIL_SENDER_HOURLY_LIMIT": str(LIMIT),
        "SANAD_ATTACHMENT_MAX_BYTES": str(MAX_BYTES),
    }


def message(sender: str, subject: str, body: str, *, to: str = SUPPORT) -> EmailMessage:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Message-ID"] = make_msgid(domain="mail.example.net")
    mail.set_content(body)
    return mail


def send(port: int, mail: EmailMessage | bytes, sender: str = "", to: str = SUPPORT) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        if isinstance(mail, bytes):
            client.sendmail(sender, [to], mail)
        else:
            client.send_message(mail, to_addrs=[to])


def only_ticket(app: Flask) -> Ticket:
    with transaction(app.extensions["sanad"].sessions) as session:
        ticket = session.scalars(select(Ticket)).one()
        session.expunge(ticket)
        return ticket


def files_of(app: Flask, ticket_id: int) -> dict[str, bytes]:
    services = app.extensions["sanad"]
    with transaction(services.sessions) as session:
        rows = session.scalars(
            select(TicketAttachment).where(TicketAttachment.ticket_id == ticket_id)
        ).all()
        return {
            f"{row.filename} {row.content_type}": read_stored(
                services.settings.tickets.attachments_dir, row.stored_name
            )
            for row in rows
        }


def test_refused_files_are_reported_to_the_sender_by_mail_and_the_rest_is_kept(
    app: Flask, listener: int, smtp_server: Inbox, deliver: Callable[[], int]
) -> None:
    mail = message("sara@example.net", "Screenshots of the error", "Here is what I see.")
    mail.add_attachment(PNG, maintype="image", subtype="png", filename="screen.png")
    mail.add_attachment(
        b"%PDF-1.4\n" + b"0" * MAX_BYTES, maintype="application", subtype="pdf", filename="big.pdf"
    )
    mail.add_attachment(
        b"MZ\x90\x00" + b"\x00" * 200,
        maintype="application",
        subtype="octet-stream",
        filename="setup.exe",
    )
    send(listener, mail)
    ticket = only_ticket(app)
    assert ticket.body.strip() == "Here is what I see."
    kept = files_of(app, ticket.id)
    assert kept["screen.png image/png"] == PNG
    assert not any(name.startswith(("big.pdf", "setup.exe")) for name in kept)

    assert deliver() >= 2  # the ticket-received mail and the report
    (report,) = [m for m in smtp_server.messages if "not added" in str(m["Subject"])]
    assert report["To"] == "sara@example.net"
    assert str(report["Subject"]) == f"Some files were not added to {ticket.reference}"
    text = report.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "- big.pdf: larger than 1 MB" in text
    assert "- setup.exe: this type of file is not accepted" in text
    assert "screen.png" not in text
    assert "+" in str(report["Reply-To"])  # they can answer it onto their ticket


def test_a_reply_keeps_the_original_message_as_an_internal_eml(app: Flask, listener: int) -> None:
    send(listener, message("sara@example.net", "Cannot sign in", "The code never arrives."))
    ticket = only_ticket(app)
    with transaction(app.extensions["sanad"].sessions) as session:
        reply_to = session.scalars(
            select(OutboxMessage.reply_to).where(OutboxMessage.to_address == "sara@example.net")
        ).one()
    assert reply_to is not None
    quoted = "On Mon, 30 Nov 2026, Help desk wrote:\n> The old question about the code\n"
    reply = message(
        "sara@example.net", "Re: Cannot sign in", f"It works now.\n\n{quoted}", to=reply_to
    )
    send(listener, reply, to=reply_to)
    with transaction(app.extensions["sanad"].sessions) as session:
        bodies = session.scalars(
            select(TicketMessage.body).where(TicketMessage.ticket_id == ticket.id)
        ).all()
        originals = session.scalars(
            select(TicketAttachment).where(
                TicketAttachment.ticket_id == ticket.id,
                TicketAttachment.content_type == "message/rfc822",
            )
        ).all()
        assert all(row.internal for row in originals)  # for the agents, not an upload
        stored = [
            read_stored(app.extensions["sanad"].settings.tickets.attachments_dir, r.stored_name)
            for r in originals
        ]
    assert [b.strip() for b in bodies if "It works now" in b] == ["It works now."]
    # One original for the opening mail, one for the reply: the reply's still has the quote.
    assert len(stored) == 2
    kept = message_from_bytes(stored[1], policy=policy.default)
    assert kept["Message-ID"] == reply["Message-ID"]
    assert "The old question about the code" in kept.get_body().get_content()  # type: ignore[union-attr]


def test_a_sender_over_the_hourly_limit_is_told_to_try_later_and_others_are_not(
    app: Flask, listener: int
) -> None:
    for number in range(LIMIT):
        send(listener, message("busy@example.net", f"Request {number}", "Please help."))
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(listener, message("busy@example.net", "One too many", "Please help."))
    assert refused.value.smtp_code == 451  # the sending server keeps it and retries later
    send(listener, message("calm@example.net", "My first request", "Please help."))
    with transaction(app.extensions["sanad"].sessions) as session:
        senders = session.scalars(select(Ticket.visitor_email).order_by(Ticket.id)).all()
        recorded = session.scalars(select(InboundMail.sender)).all()
    assert senders == ["busy@example.net"] * LIMIT + ["calm@example.net"]
    assert len(recorded) == LIMIT + 1  # the deferred one is not recorded: it can come back


def test_windows_1256_body_subject_and_a_raw_8bit_header_come_through(
    app: Flask, listener: int
) -> None:
    subject, name, body = "لا أستطيع الدخول", "سارة أحمد", "نسيت كلمة المرور ولا يصلني البريد."
    raw = (
        b"From: " + name.encode("cp1256") + b" <sara@example.net>\r\n"  # raw 8-bit, no encoding
        b"To: help@example.org\r\n"
        b"Subject: =?windows-1256?B?" + base64.b64encode(subject.encode("cp1256")) + b"?=\r\n"
        b"Message-ID: <cp1256-1@mail.example.net>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=windows-1256\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body.encode("cp1256") + b"\r\n"
    )
    send(listener, raw, "sara@example.net")
    raw_subject = (
        b"From: omar@example.net\r\nTo: help@example.org\r\n"
        b"Subject: " + "طلب فاتورة".encode("cp1256") + b"\r\n"  # raw 8-bit subject
        b"Message-ID: <cp1256-2@mail.example.net>\r\n"
        b"Content-Type: text/plain; charset=windows-1256\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"=C3=D1=ED=CF =C7=E1=DD=C7=CA=E6=D1=C9\r\n"  # "أريد الفاتورة" in windows-1256
    )
    send(listener, raw_subject, "omar@example.net")
    with transaction(app.extensions["sanad"].sessions) as session:
        rows = session.execute(
            select(Ticket.subject, Ticket.body, Ticket.visitor_name, Ticket.lang).order_by(
                Ticket.id
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        (subject, body, name, "ar"),
        ("طلب فاتورة", "أريد الفاتورة", "omar", "ar"),
    ]
    assert not any("\ufffd" in value for row in rows for value in row)


def test_an_html_only_mail_with_an_inline_image_keeps_the_text_and_shows_the_image(
    app: Flask, listener: int, make_user: MakeUser
) -> None:
    agent = make_user("agent", teams=("support",))
    mail = EmailMessage()
    mail["From"], mail["To"] = "lina@example.net", SUPPORT
    mail["Subject"] = "=?utf-8?b?2LHYs9in2YTYqSDYrti32KM=?="  # "رسالة خطأ", an encoded-word
    mail["Message-ID"] = make_msgid(domain="mail.example.net")
    mail.set_content(
        "<html><body><p>تظهر لي <b>هذه الرسالة</b> عند الدفع:</p>"
        '<p><img src="cid:shot@mail.example.net" alt=""></p>'
        "<script>alert(1)</script><p>شكرًا</p></body></html>",
        subtype="html",
    )
    mail.add_related(PNG, maintype="image", subtype="png", cid="<shot@mail.example.net>")
    send(listener, mail)
    ticket = only_ticket(app)
    assert ticket.subject == "رسالة خطأ"
    assert "تظهر لي هذه الرسالة عند الدفع:" in ticket.body
    assert "شكرًا" in ticket.body
    for trace in ("<", "cid:", "alert", "**"):
        assert trace not in ticket.body
    (image,) = [k for k in files_of(app, ticket.id) if k.endswith("image/png")]

    client = app.test_client()
    log_in(client, agent.email, PASSWORD)
    page = client.get(f"/agent/tickets/{ticket.reference}").get_data(as_text=True)
    assert image.split()[0] in page
    with transaction(app.extensions["sanad"].sessions) as session:
        image_id = session.scalars(
            select(TicketAttachment.id).where(
                TicketAttachment.ticket_id == ticket.id,
                TicketAttachment.content_type == "image/png",
            )
        ).one()
    src = f"/tickets/{ticket.reference}/attachments/{image_id}?inline=1"
    assert f'<img src="{src}"' in page
    with client.get(src) as shown:
        assert (shown.status_code, shown.mimetype, shown.data) == (200, "image/png", PNG)


def test_a_message_that_breaks_intake_is_refused_for_good_and_recorded_once(
    app: Flask, listener: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the database's fault: a 451 would have the sending server retry it for days."""
    import portal.mailin.intake as intake

    def draft(mail: object, body: str) -> object:
        raise RuntimeError("a part intake cannot handle")

    monkeypatch.setattr(intake, "_draft", draft)
    broken = message("sara@example.net", "Crash me", "A message of a shape intake fails on.")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(listener, broken)
    assert refused.value.smtp_code == 554
    send(listener, broken)  # sent again anyway: taken before, never tried again
    with transaction(app.extensions["sanad"].sessions) as session:
        outcomes = session.scalars(select(InboundMail.outcome)).all()
        assert session.scalars(select(Ticket)).first() is None
    assert outcomes == ["failed"]


def test_a_mail_a_ticket_rule_refuses_is_recorded_and_what_it_did_is_undone(
    app: Flask, listener: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portal.mailin.intake as intake
    from portal.notify.mail import OutgoingMail
    from portal.notify.outbox import enqueue
    from portal.tickets.errors import TicketError

    def refusing(session: Session, *args: object, now: dt.datetime, **kwargs: object) -> None:
        enqueue(session, OutgoingMail("sara@example.net", "Half done", "Never sent."), now=now)
        raise TicketError("a rule of the ticket service")

    monkeypatch.setattr(intake, "open_ticket_by_mail", refusing)
    send(listener, message("sara@example.net", "Refused", "A rule says no."))  # 250: recorded
    with transaction(app.extensions["sanad"].sessions) as session:
        rows = session.execute(select(InboundMail.outcome, InboundMail.reason)).all()
        queued = session.scalars(select(OutboxMessage.subject)).all()
    assert [tuple(row) for row in rows] == [("refused", "a rule of the ticket service")]
    assert queued == []


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (OperationalError("SELECT 1", {}, Exception("connection refused")), True),
        (OSError(28, "No space left on device"), True),
        (DataError("INSERT", {}, Exception("invalid byte sequence")), False),
        (RuntimeError("a part intake cannot handle"), False),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), False),
    ],
)
def test_only_failures_that_pass_are_tried_again(error: Exception, transient: bool) -> None:
    """A database or disk away is tried again; the message's own failure would repeat."""
    assert is_transient(error) is transient


def test_a_message_the_parser_cannot_read_is_still_recorded_once(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portal.mailin.intake as intake

    def unreadable(raw: bytes, **kwargs: object) -> None:
        raise ValueError("not a message")

    monkeypatch.setattr(intake, "parse_mail", unreadable)
    sessions = app.extensions["sanad"].sessions
    for _ in range(2):
        record_failure(sessions, b"\x00garbage", "ValueError: not a message", now=utcnow())
    with transaction(sessions) as session:
        rows = session.execute(select(InboundMail.outcome, InboundMail.message_id)).all()
    assert [tuple(row) for row in rows] == [("failed", None)]  # keyed by the bytes, once
