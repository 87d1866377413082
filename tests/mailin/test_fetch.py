"""``sanad mail fetch`` and the ``inbound_mail`` job against a real IMAP server: a private
Debian dovecot on loopback (tests/support/dovecot.py). New messages open tickets or land as
replies, what was taken is flagged, a second poll takes nothing again, and a malformed
message is reported without stopping the others."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal.cli import main
from portal.db import transaction, utcnow
from portal.jobs import JobContext, Runner
from portal.jobs.builtin import JOBS
from portal.mailin.intake import take_mail
from portal.mailin.models import InboundMail
from portal.mailin.parse import ParsedMail
from portal.notify.outbox import OutboxMessage
from portal.tickets.models import Ticket, TicketMessage
from portal.tickets.values import TicketDraft
from tests.support.dovecot import Mailbox

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"


@pytest.fixture
def app_overrides(app_overrides: dict[str, object], imap_mailbox: Mailbox) -> dict[str, object]:
    return {
        **app_overrides,
        "SANAD_SMTP_FROM": f"Help desk <{SUPPORT}>",
        "SANAD_IMAP_HOST": imap_mailbox.host,
        "SANAD_IMAP_PORT": str(imap_mailbox.port),
        "SANAD_IMAP_SSL": "false",
        "SANAD_IMAP_USER": imap_mailbox.user,
        "SANAD_IMAP_PASSWORD": imap_mailbox.password,
    }


def mail(sender: str, subject: str, body: str, *, to: str = SUPPORT, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = headers.pop("message_id", make_msgid(domain="mail.example.net"))
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def fetch(app: Flask) -> Result:
    return app.test_cli_runner().invoke(main, args=["mail", "fetch"])


def count(app: Flask, model: type) -> int:
    with transaction(app.extensions["sanad"].sessions) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def subjects(app: Flask) -> list[str]:
    with transaction(app.extensions["sanad"].sessions) as session:
        return list(session.scalars(select(Ticket.subject).order_by(Ticket.id)))


def test_fetch_takes_new_mail_marks_it_and_a_second_fetch_adds_nothing(
    app: Flask, imap_mailbox: Mailbox
) -> None:
    first = mail("sara@example.net", "لا يصلني رمز التحقق", "أحاول الدخول ولا تصل الرسالة.")
    imap_mailbox.append(
        first,
        mail("omar@example.net", "Invoice question", "Where is my invoice?"),
        mail("away@example.net", "Out of office", "Back Monday.", Auto_Submitted="auto-replied"),
    )
    done = fetch(app)
    assert done.exit_code == 0, done.output
    assert "3 seen, 3 taken" in done.output
    assert subjects(app) == ["لا يصلني رمز التحقق", "Invoice question"]
    assert all({"\\Seen", "\\Flagged"} <= flags for flags in imap_mailbox.flags())

    # The same message again (a second copy in the mailbox): its Message-ID was taken.
    imap_mailbox.append(first)
    again = fetch(app)
    assert again.exit_code == 0, again.output
    assert "1 seen, 0 taken, 1 duplicate(s)" in again.output
    assert len(subjects(app)) == 2
    nothing = fetch(app)
    assert "0 seen, 0 taken" in nothing.output, nothing.output
    assert len(subjects(app)) == 2


def test_a_reply_fetched_from_imap_lands_on_its_ticket(app: Flask, imap_mailbox: Mailbox) -> None:
    imap_mailbox.append(mail("sara@example.net", "Cannot sign in", "The code never arrives."))
    assert fetch(app).exit_code == 0
    with transaction(app.extensions["sanad"].sessions) as session:
        received = session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == "sara@example.net")
        ).one()
        reply_to, message_id = received.reply_to, received.message_id
    assert reply_to is not None
    imap_mailbox.append(
        mail(
            "sara@example.net",
            "Re: Cannot sign in",
            "It came now, thanks.\n\nOn Mon, 30 Nov 2026, Help desk wrote:\n> old\n",
            to=reply_to,
            In_Reply_To=message_id,
        )
    )
    done = fetch(app)
    assert "1 seen, 1 taken" in done.output, done.output
    assert subjects(app) == ["Cannot sign in"]
    with transaction(app.extensions["sanad"].sessions) as session:
        bodies = list(
            session.scalars(select(TicketMessage.body).where(TicketMessage.internal.is_(False)))
        )
    assert "It came now, thanks." in [body.strip() for body in bodies]


def test_a_malformed_message_is_reported_and_the_others_are_still_taken(
    app: Flask, imap_mailbox: Mailbox
) -> None:
    imap_mailbox.append(
        mail("sara@example.net", "Before", "First good one."),
        # NUL bytes (PostgreSQL refuses them in text), broken MIME, no usable sender.
        b"From: lina@example.net\r\nSubject: a\x00b\r\nMessage-ID: <nul@example.net>\r\n"
        b"Content-Type: multipart/mixed; boundary=zz\r\n\r\nno\x00 parts\r\n",
        b"From: <<<@@>>\r\nSubject: ???\r\nMessage-ID: <nosender@example.net>\r\n\r\n\xff\xfe\r\n",
        mail("omar@example.net", "After", "Second good one."),
    )
    done = fetch(app)
    assert done.exit_code == 0, done.output
    assert "4 seen, 4 taken" in done.output
    assert subjects(app)[0] == "Before"
    assert subjects(app)[-1] == "After"
    with transaction(app.extensions["sanad"].sessions) as session:
        outcomes = dict(session.execute(select(InboundMail.message_id, InboundMail.outcome)).all())
    assert outcomes["<nosender@example.net>"] == "ignored"  # recorded, never answered
    assert outcomes["<nul@example.net>"] == "opened"
    assert len(subjects(app)) == 3  # the server may have replaced the NUL; no ticket lost
    assert count(app, InboundMail) == 4


def test_the_inbound_mail_job_takes_what_the_command_would(
    app: Flask, imap_mailbox: Mailbox
) -> None:
    imap_mailbox.append(mail("sara@example.net", "By the job", "Polled by the runner."))
    services = app.extensions["sanad"]
    context = JobContext(settings=services.settings, sessions=services.sessions)
    runner = Runner(context, [job for job in JOBS if job.name == "inbound_mail"])
    (result,) = runner.run_due()
    assert result.outcome == "ok", result.detail
    assert result.detail == "1 taken, 0 duplicate(s)"
    assert subjects(app) == ["By the job"]
    assert all("\\Seen" in flags for flags in imap_mailbox.flags())


def test_nul_bytes_that_reach_intake_are_dropped_not_a_failure_on_every_try(app: Flask) -> None:
    """By SMTP a NUL arrives as sent (dovecot above replaces it); PostgreSQL refuses NUL in
    text, which would fail the message's transaction on every retry."""
    services = app.extensions["sanad"]
    raw = (
        b"From: lina@example.net\r\nTo: help@example.org\r\nSubject: a\x00b\r\n"
        b"Message-ID: <nul2@example.net>\r\n\r\nno\x00 text\r\n"
    )
    taken = take_mail(services.sessions, services.settings, raw, now=utcnow())
    assert taken.outcome == "opened"
    assert subjects(app) == ["ab"]


def test_a_message_that_breaks_intake_is_recorded_failed_once_not_retried_every_poll(
    app: Flask, imap_mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash of intake that is not the database's would happen again on every poll: the
    message is recorded as failed, flagged, and reported once."""
    import portal.mailin.intake as intake

    real_draft = intake._draft

    def draft(mail: ParsedMail, body: str) -> TicketDraft:
        if "Crash me" in mail.subject:
            raise RuntimeError("a part intake cannot handle")
        return real_draft(mail, body)

    monkeypatch.setattr(intake, "_draft", draft)
    imap_mailbox.append(
        mail("sara@example.net", "Crash me", "A message of a shape intake fails on."),
        mail("omar@example.net", "Fine", "An ordinary message."),
    )
    first = fetch(app)
    assert first.exit_code == 1  # reported, once
    assert "2 seen, 1 taken, 0 duplicate(s), 0 deferred, 1 failed" in first.output
    assert all({"\\Seen", "\\Flagged"} <= flags for flags in imap_mailbox.flags())
    with transaction(app.extensions["sanad"].sessions) as session:
        rows = session.execute(
            select(InboundMail.sender, InboundMail.outcome, InboundMail.reason).order_by(
                InboundMail.id
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("sara@example.net", "failed", "RuntimeError: a part intake cannot handle"),
        ("omar@example.net", "opened", None),
    ]
    second = fetch(app)
    assert second.exit_code == 0, second.output
    assert "0 seen, 0 taken" in second.output
    assert subjects(app) == ["Fine"]


def test_a_message_the_database_could_not_take_stays_unseen_for_the_next_poll(
    app: Flask, imap_mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portal.mailin.intake as intake

    real_draft = intake._draft
    down = [True]

    def draft(mail: ParsedMail, body: str) -> TicketDraft:
        if down[0]:
            raise OperationalError("INSERT", {}, Exception("server closed the connection"))
        return real_draft(mail, body)

    monkeypatch.setattr(intake, "_draft", draft)
    imap_mailbox.append(mail("sara@example.net", "While it was down", "Please keep this."))
    assert "1 seen, 0 taken, 0 duplicate(s), 0 deferred, 1 failed" in fetch(app).output
    assert not any("\\Seen" in flags for flags in imap_mailbox.flags())
    assert count(app, InboundMail) == 0
    down[0] = False
    assert "1 seen, 1 taken" in fetch(app).output
    assert subjects(app) == ["While it was down"]
