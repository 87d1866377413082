"""The mail outbox: written with the change, sent afterwards, retried, never sent twice."""

from __future__ import annotations

import datetime as dt
import socket
import time
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from portal.config import MailSettings
from portal.db import make_engine, make_session_factory, transaction
from portal.notify.mail import MailNotSent, OutgoingMail
from portal.notify.outbox import (
    FAILED,
    MAX_ATTEMPTS,
    QUEUED,
    SENT,
    Delivery,
    OutboxMessage,
    deliver_due,
    enqueue,
    enqueue_all,
    install_sender,
    retry_delay,
)
from tests.support.mail import Inbox, free_port

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def mail(to: str = "huda@example.com", subject: str = "مرحبًا") -> OutgoingMail:
    return OutgoingMail(to=to, subject=subject, body="نص الرسالة", lang="ar", html="<p>نص</p>")


def rows(sessions: sessionmaker[Session]) -> list[OutboxMessage]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def closed_port() -> MailSettings:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return MailSettings(host="127.0.0.1", port=port, timeout=2.0)


def test_enqueue_all_queues_each_mail_in_the_callers_transaction(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        assert enqueue_all(session, [], now=NOW) == 0
    assert rows(sessions) == []
    with transaction(sessions) as session:
        assert enqueue_all(session, [mail("a@example.com"), mail("b@example.com")], now=NOW) == 2
    queued = rows(sessions)
    assert [(r.to_address, r.status, r.next_attempt_at) for r in queued] == [
        ("a@example.com", QUEUED, NOW),
        ("b@example.com", QUEUED, NOW),
    ]
    assert queued[0].message_id != queued[1].message_id
    with sessions() as session:
        enqueue_all(session, [mail("c@example.com")], now=NOW)
        session.rollback()  # the change that caused it failed
    assert len(rows(sessions)) == 2


def test_queued_mail_is_sent_once_with_the_message_id_fixed_at_queueing(
    sessions: sessionmaker[Session], smtp_server: Inbox
) -> None:
    with transaction(sessions) as session:
        enqueue(session, mail(), now=NOW)
    [queued] = rows(sessions)
    assert (queued.status, queued.attempts, queued.sent_at) == (QUEUED, 0, None)
    assert smtp_server.messages == []  # queueing sends nothing

    assert deliver_due(sessions, smtp_server.settings, NOW) == Delivery(sent=1)
    assert deliver_due(sessions, smtp_server.settings, NOW) == Delivery()

    [received] = smtp_server.messages
    assert received["Message-ID"] == queued.message_id
    assert received["Subject"] == "مرحبًا"
    assert received.get_body(("html",)) is not None
    [sent] = rows(sessions)
    assert (sent.status, sent.attempts, sent.sent_at) == (SENT, 1, NOW)


def test_mail_of_a_rolled_back_change_is_never_sent(
    sessions: sessionmaker[Session], smtp_server: Inbox
) -> None:
    def failing_change() -> None:
        with transaction(sessions) as session:
            enqueue(session, mail(), now=NOW)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert deliver_due(sessions, smtp_server.settings, NOW) == Delivery()
    assert rows(sessions) == []


def test_a_failed_send_is_retried_later_then_given_up(sessions: sessionmaker[Session]) -> None:
    down = closed_port()
    with transaction(sessions) as session:
        enqueue(session, mail(), now=NOW)
    clock = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        assert deliver_due(sessions, down, clock) == Delivery(retried=1)
        [row] = rows(sessions)
        assert (row.status, row.attempts) == (QUEUED, attempt)
        assert row.last_error
        assert row.next_attempt_at == clock + retry_delay(attempt)
        # Not due before its time.
        assert deliver_due(sessions, down, row.next_attempt_at - dt.timedelta(seconds=1)) == (
            Delivery()
        )
        clock = row.next_attempt_at
    assert deliver_due(sessions, down, clock) == Delivery(failed=1)
    [row] = rows(sessions)
    assert (row.status, row.attempts) == (FAILED, MAX_ATTEMPTS)
    assert retry_delay(1) < retry_delay(2) < retry_delay(3)
    assert retry_delay(1000) == retry_delay(MAX_ATTEMPTS)


def test_two_senders_never_send_the_same_row_twice(
    sessions: sessionmaker[Session], smtp_server: Inbox
) -> None:
    with transaction(sessions) as session:
        enqueue(session, mail(), now=NOW)
    calls: list[str] = []

    def send_while_another_runs(settings: MailSettings, message: OutgoingMail) -> None:
        calls.append(message.to)
        # A second sender starts while the first is still talking to SMTP.
        assert deliver_due(sessions, settings, NOW) == Delivery()

    assert deliver_due(sessions, smtp_server.settings, NOW, send=send_while_another_runs) == (
        Delivery(sent=1)
    )
    assert calls == ["huda@example.com"]


def test_a_sender_that_died_mid_send_leaves_the_row_due_again(
    sessions: sessionmaker[Session], smtp_server: Inbox
) -> None:
    with transaction(sessions) as session:
        enqueue(session, mail(), now=NOW)

    def crash(settings: MailSettings, message: OutgoingMail) -> None:
        raise KeyboardInterrupt  # stands for a killed process: nothing is recorded

    with pytest.raises(KeyboardInterrupt):
        deliver_due(sessions, smtp_server.settings, NOW, send=crash)
    assert deliver_due(sessions, smtp_server.settings, NOW) == Delivery()  # claimed, leased
    later = NOW + dt.timedelta(minutes=10)
    assert deliver_due(sessions, smtp_server.settings, later) == Delivery(sent=1)


def test_the_background_sender_sends_within_seconds_of_the_commit(
    sessions: sessionmaker[Session], smtp_server: Inbox
) -> None:
    sender = install_sender(sessions, smtp_server.settings, interval=60.0)
    try:
        with transaction(sessions) as session:
            enqueue(session, mail(to="fast@example.com"), now=dt.datetime.now(dt.UTC))
        deadline = time.monotonic() + 5.0
        while not smtp_server.messages and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the receiving server, not waiting a fixed time
        assert [m["To"] for m in smtp_server.messages] == ["fast@example.com"]
    finally:
        sender.close()


def test_a_closed_sender_leaves_new_mail_to_the_job_runner(
    sessions: sessionmaker[Session], smtp_server: Inbox
) -> None:
    sender = install_sender(sessions, smtp_server.settings, interval=60.0)
    sender.close()
    with transaction(sessions) as session:
        enqueue(session, mail(to="later@example.com"), now=dt.datetime.now(dt.UTC))
    time.sleep(0.5)  # a live sender sends within ~50 ms (the test above)
    sender.finish()  # the at-exit flush of a closed sender does nothing either
    assert smtp_server.messages == []
    assert [row.status for row in rows(sessions)] == ["queued"]
    assert deliver_due(sessions, smtp_server.settings, dt.datetime.now(dt.UTC)) == Delivery(sent=1)


def test_sending_failure_is_reported_as_mail_not_sent() -> None:
    from portal.notify.mail import send_mail

    with pytest.raises(MailNotSent):
        send_mail(closed_port(), mail())


class Refusing:
    """An SMTP server that refuses every recipient, the way a real one says no."""

    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, options: object
    ) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"


def test_the_servers_own_answer_is_kept_with_the_failed_try(
    sessions: sessionmaker[Session],
) -> None:
    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with transaction(sessions) as session:
            enqueue(session, mail(to="ghost@example.com"), now=NOW)
        refusing = MailSettings(host="127.0.0.1", port=port, timeout=5.0)
        assert deliver_due(sessions, refusing, NOW) == Delivery(retried=1)
    finally:
        controller.stop()
    [row] = rows(sessions)
    assert row.status == QUEUED
    assert row.last_error is not None
    assert "550" in row.last_error
    assert "no such mailbox" in row.last_error
