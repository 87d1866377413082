"""Broken and hostile messages through the mail-in parser and intake (issue 15), on SQLite
and PostgreSQL: each is taken once (a ticket, or recorded as ignored or refused), never an
exception that would fail it on every retry, and no NUL reaches the database."""

from __future__ import annotations

import base64

import pytest
from flask import Flask
from sqlalchemy import select

from portal.db import transaction, utcnow
from portal.mailin.intake import DUPLICATE, take_mail
from portal.mailin.models import InboundMail
from portal.mailin.parse import parse_mail
from portal.tickets.models import Ticket, TicketAttachment, TicketMessage

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"
HEAD = f"From: Lina <lina@example.net>\r\nTo: {SUPPORT}\r\n"


def mail(headers: str, body: bytes = b"Hello\r\n", *, message_id: str | None = None) -> bytes:
    ident = f"Message-ID: <{message_id}>\r\n" if message_id else ""
    return (HEAD + ident + headers).encode("utf-8", "surrogateescape") + b"\r\n" + body


B64_NUL = base64.b64encode("no\x00text ولا".encode()).decode()
BROKEN = {
    "nul-in-encoded-subject": mail("Subject: =?utf-8?q?a=00b?=\r\n"),
    "nul-in-encoded-name": (
        f"From: =?utf-8?q?Li=00na?= <lina@example.net>\r\nTo: {SUPPORT}\r\n"
        "Subject: name\r\n\r\nHi\r\n"
    ).encode(),
    "nul-in-message-id": mail("Subject: id\r\n", message_id="a\x00b@example.net"),
    "nul-in-base64-body": mail(
        "Subject: b64\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n",
        B64_NUL.encode() + b"\r\n",
    ),
    "nul-in-file-name": mail(
        "Subject: file\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n",
        b"--zz\r\nContent-Type: text/plain\r\n\r\nSee file\r\n--zz\r\n"
        b"Content-Type: image/png\r\nContent-Disposition: attachment; "
        b"filename*=utf-8''a%00b.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        + b"\r\n--zz--\r\n",
    ),
    "html-entity-nul": mail(
        "Subject: html\r\nContent-Type: text/html; charset=utf-8\r\n",
        b"<p>a&#0;b</p><script>x()</script>\r\n",
    ),
    "lying-charset": mail(
        "Subject: charset\r\nContent-Type: text/plain; charset=x-no-such\r\n", b"\xff\xfe\xfd\r\n"
    ),
    "charset-with-nul": mail(
        'Subject: cs\r\nContent-Type: text/plain; charset="utf-8\x00"\r\n', b"text\r\n"
    ),
    "broken-base64": mail(
        "Subject: b64\r\nContent-Transfer-Encoding: base64\r\n", b"!!!not base64===\r\n"
    ),
    "no-closing-boundary": mail(
        "Subject: open\r\nContent-Type: multipart/mixed; boundary=zz\r\n",
        b"--zz\r\nContent-Type: text/plain\r\n\r\nunfinished\x00",
    ),
    "empty-boundary": mail("Subject: e\r\nContent-Type: multipart/mixed; boundary=\r\n", b"--\r\n"),
    "raw-8bit-headers": mail("Subject: \udcff\udcfe \u0645\r\n"),
    "long-header": mail("Subject: " + "x" * 20_000 + "\r\n"),
    "long-auto-submitted": mail("Subject: auto\r\nAuto-Submitted: auto-" + "r" * 5_000 + "\r\n"),
    "broken-rfc2231": mail(
        "Subject: p\r\nContent-Type: text/plain; name*0*=''%%%; name*1=x\r\n"
        "Content-Disposition: attachment; filename*=bogus''%ZZ\r\n",
        b"data\r\n",
    ),
    "bad-rfc822-part": mail(
        "Subject: fwd\r\nContent-Type: multipart/mixed; boundary=zz\r\n",
        b"--zz\r\nContent-Type: message/rfc822\r\n\r\n\x00\x00garbage\r\n--zz--\r\n",
    ),
    "rtl-override-subject": mail("Subject: \u202egnp.exe\u202c\r\n"),
    "garbage-reply-headers": mail(
        "Subject: r\r\nIn-Reply-To: <<<\x00>>>\r\nReferences: <a\x00>\r\n"
    ),
}


def stored_texts(app: Flask) -> list[str]:
    with transaction(app.extensions["sanad"].sessions) as session:
        texts: list[str] = []
        for row in session.scalars(select(InboundMail)):
            texts += [row.sender, row.message_id or "", row.reason or ""]
        for ticket in session.scalars(select(Ticket)):
            texts += [
                ticket.subject,
                ticket.body,
                ticket.visitor_name or "",
                ticket.visitor_email or "",
            ]
        texts += list(session.scalars(select(TicketMessage.body)))
        texts += list(session.scalars(select(TicketAttachment.filename)))
        return texts


@pytest.fixture
def app_overrides(app_overrides: dict[str, object]) -> dict[str, object]:
    return {**app_overrides, "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>"}


@pytest.mark.parametrize("raw", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_message_is_taken_once_and_stores_no_nul(app: Flask, raw: bytes) -> None:
    services = app.extensions["sanad"]
    taken = take_mail(services.sessions, services.settings, raw, now=utcnow())
    assert taken.outcome in ("opened", "ignored", "refused"), taken
    again = take_mail(services.sessions, services.settings, raw, now=utcnow())
    assert again.outcome == DUPLICATE
    with transaction(services.sessions) as session:
        rows = session.scalars(select(InboundMail)).all()
        assert [row.outcome for row in rows] == [taken.outcome]
    assert not [text for text in stored_texts(app) if "\x00" in text]


def test_a_long_auto_submitted_header_is_recorded_cut_to_the_column(app: Flask) -> None:
    """The reason quotes the header: PostgreSQL refused 5,000 characters in a 200 column."""
    services = app.extensions["sanad"]
    taken = take_mail(
        services.sessions, services.settings, BROKEN["long-auto-submitted"], now=utcnow()
    )
    assert taken.outcome == "ignored"
    with transaction(services.sessions) as session:
        (reason,) = session.scalars(select(InboundMail.reason)).all()
    assert reason is not None
    assert reason.startswith("Auto-Submitted: auto-rrr")
    assert len(reason) == 200


def test_nul_in_the_smtp_envelope_never_reaches_the_database(app: Flask) -> None:
    services = app.extensions["sanad"]
    raw = f"To: {SUPPORT}\r\nSubject: no From\r\n\r\nHi\r\n".encode()
    taken = take_mail(
        services.sessions,
        services.settings,
        raw,
        envelope_sender="mailer-daemon\x00@example.net",
        envelope_recipients=(f"help\x00@{SUPPORT.partition('@')[2]}",),
        now=utcnow(),
    )
    assert taken.outcome == "ignored"
    assert not [text for text in stored_texts(app) if "\x00" in text]
    parsed = parse_mail(raw, envelope_sender="a\x00@b.example", envelope_recipients=("c\x00@d",))
    assert parsed.envelope_sender == "a@b.example"
    assert "c@d" in parsed.recipients


def test_subjects_and_bodies_keep_their_text_without_the_nul(app: Flask) -> None:
    services = app.extensions["sanad"]
    for key in ("nul-in-encoded-subject", "nul-in-base64-body"):
        taken = take_mail(services.sessions, services.settings, BROKEN[key], now=utcnow())
        assert taken.outcome == "opened", (key, taken)
    with transaction(services.sessions) as session:
        subjects = list(session.scalars(select(Ticket.subject).order_by(Ticket.id)))
        bodies = list(session.scalars(select(Ticket.body).order_by(Ticket.id)))
    assert subjects[0] == "ab"
    assert any("notext ولا" in body for body in bodies), bodies
