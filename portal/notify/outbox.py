"""The transactional outbox: mail is written in the same transaction as the change that
caused it, and sent afterwards.

A page never waits for SMTP (which also made "is there an account?" readable from how long a
page took), a rolled-back change sends nothing, and a mail server that is down only delays
mail. ``enqueue`` writes a row in the caller's session; ``deliver_due`` sends the rows that
are due, with retries and a growing back-off, marking each. ``BackgroundSender`` is the
small per-process sender that runs ``deliver_due`` right after a commit that queued mail, so
a reset link leaves at once; the ``mail_outbox`` job of the job runner (portal.jobs) sends
the rest every ``SANAD_JOBS_OUTBOX_SECONDS``: retries, and mail queued by a process without
a sender (a CLI command, a worker that died before sending).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Index, Integer, String, Text, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from portal.config import MailSettings
from portal.db import Base, UtcDateTime, intpk, transaction, utcnow
from portal.notify import mailbox
from portal.notify.mail import MailNotSent, OutgoingMail, new_message_id, send_mail

log = logging.getLogger(__name__)

QUEUED, SENT, FAILED = "queued", "sent", "failed"
MAX_ATTEMPTS = 8  # 30 s, 1, 2, 4, 8, 16, 32 min, then 1 h: about two hours of trying
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(hours=1)
# A claimed row becomes due again after this, should its sender die in the middle of SMTP:
# mail is delivered at least once, never lost.
LEASE = dt.timedelta(minutes=5)
ERROR_MAX = 1000
PENDING = "portal.notify.outbox.pending"  # session.info key: this transaction queued mail


class OutboxMessage(Base):
    """One queued, sent or failed message."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[intpk]
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))  # RFC 5322's longest line
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(5))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # OutgoingMail.reply_to and .headers (a JSON list of [name, value]), for mail-in replies.
    reply_to: Mapped[str | None] = mapped_column(String(998))
    headers: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Delivery:
    """What one ``deliver_due`` run did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


def enqueue(session: Session, mail: OutgoingMail, *, now: dt.datetime) -> int:
    """Queue ``mail`` in the caller's transaction; returns the row id. Nothing is sent unless
    the transaction commits."""
    row = _row(mail, now)
    session.add(row)
    session.flush()
    session.info[PENDING] = True
    return row.id


def enqueue_all(session: Session, mails: Iterable[OutgoingMail], *, now: dt.datetime) -> int:
    """:func:`enqueue` each of ``mails`` with one flush (a job queuing hundreds); returns how
    many were queued."""
    rows = [_row(mail, now) for mail in mails]
    if rows:
        session.add_all(rows)
        session.flush()
        session.info[PENDING] = True
    return len(rows)


def _row(mail: OutgoingMail, now: dt.datetime) -> OutboxMessage:
    return OutboxMessage(
        to_address=mail.to,
        subject=mail.subject,
        text_body=mail.body,
        html_body=mail.html,
        lang=mail.lang,
        message_id=mail.message_id or new_message_id(),
        status=QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        reply_to=mail.reply_to,
        headers=json.dumps(mail.headers) if mail.headers else None,
    )


def retry_delay(attempts: int) -> dt.timedelta:
    """How long to wait after the ``attempts``-th failed try."""
    return min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 16)), LONGEST_RETRY)


Sender = Callable[[MailSettings, OutgoingMail], None]


def deliver_due(
    sessions: sessionmaker[Session],
    mail_settings: MailSettings,
    now: dt.datetime,
    *,
    limit: int = 100,
    send: Sender = send_mail,
) -> Delivery:
    """Send up to ``limit`` queued messages whose time has come, oldest first.

    Each row is claimed before it is sent (a conditional update that only one sender wins),
    so several workers running this at once never send a message twice. A failure is retried
    later with a doubling delay; after ``MAX_ATTEMPTS`` the row is marked failed.
    """
    with sessions() as session:
        due = session.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == QUEUED, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        ).all()
    sent = retried = failed = 0
    # No SMTP host (the demo, development): the local mailbox is the mail server.
    local = not mail_settings.host and send is send_mail
    for row_id in due:
        mail = _claim(sessions, row_id, now)
        if mail is None:
            continue  # another sender took it
        if local:
            with transaction(sessions) as session:
                mailbox.store(session, mail_settings.sender, mail, now=now)
                _mark_sent(session, row_id, now)
            sent += 1
            continue
        try:
            send(mail_settings, mail)
        except MailNotSent as exc:
            if _record_failure(sessions, row_id, now, str(exc)) == FAILED:
                failed += 1
            else:
                retried += 1
        else:
            with transaction(sessions) as session:
                _mark_sent(session, row_id, now)
            sent += 1
    return Delivery(sent=sent, retried=retried, failed=failed)


def _mark_sent(session: Session, row_id: int, now: dt.datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id)
        .values(status=SENT, sent_at=now, attempts=OutboxMessage.attempts + 1)
    )


def _claim(sessions: sessionmaker[Session], row_id: int, now: dt.datetime) -> OutgoingMail | None:
    with transaction(sessions) as session:
        claimed = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                OutboxMessage.status == QUEUED,
                OutboxMessage.next_attempt_at <= now,
            )
            .values(next_attempt_at=now + LEASE)
            .execution_options(synchronize_session=False)
        )
        if not getattr(claimed, "rowcount", 0):
            return None
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        return OutgoingMail(
            to=row.to_address,
            subject=row.subject,
            body=row.text_body,
            lang=row.lang,
            html=row.html_body,
            message_id=row.message_id,
            reply_to=row.reply_to,
            headers=tuple((name, value) for name, value in json.loads(row.headers or "[]")),
        )


def _record_failure(
    sessions: sessionmaker[Session], row_id: int, now: dt.datetime, error: str
) -> str:
    with transaction(sessions) as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.attempts += 1
        row.last_error = error[:ERROR_MAX]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = FAILED
            log.error("gave up on mail #%s to %s: %s", row.id, row.to_address, error)
        else:
            row.next_attempt_at = now + retry_delay(row.attempts)
            log.warning("mail #%s to %s failed, retrying: %s", row.id, row.to_address, error)
        return row.status


class BackgroundSender:
    """A daemon thread of this process that runs ``deliver_due`` when woken (after a commit
    that queued mail) and every ``interval`` seconds (for retries), or, with
    ``interval=None``, only when woken (the job runner sends the retries).

    Started on first use, in the process that uses it: a thread does not survive gunicorn's
    fork, so a sender made before the fork starts afresh in each worker.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        mail_settings: MailSettings,
        *,
        interval: float | None = 30.0,
    ) -> None:
        self._sessions = sessions
        self._mail = mail_settings
        self._interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False

    def wake(self) -> None:
        """Send what is due soon, starting the thread if this process has none yet."""
        with self._lock:
            if self._closed:
                return
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._stop.clear()
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="sanad-outbox", daemon=True)
                self._thread.start()
        self._wake.set()

    def finish(self, timeout: float = 10.0) -> None:
        """At the end of a process that queued mail (a CLI command, a worker shutting down):
        let the thread finish, then send what is due once more, so that a short-lived
        command's mail leaves now and not at the job runner's next pass."""
        if self._closed or not self._pid or self._pid != os.getpid():
            return
        self.stop(timeout)
        try:
            deliver_due(self._sessions, self._mail, utcnow())
        except Exception:
            log.exception("the outbox could not be sent at exit; the job runner sends it")

    def close(self) -> None:
        """For good (its application is being torn down): stop the thread, wake no more and
        drop the at-exit flush; mail still queued is the job runner's."""
        with self._lock:
            self._closed = True
        atexit.unregister(self.finish)
        self.stop()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        thread = self._thread
        if thread is not None and thread.is_alive():
            thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                deliver_due(self._sessions, self._mail, utcnow())
            except Exception:  # a bad row or a database hiccup must not kill the sender
                log.exception("the outbox sender failed; it tries again shortly")
            self._wake.wait(self._interval)


def install_sender(
    sessions: sessionmaker[Session], mail_settings: MailSettings, *, interval: float | None = 30.0
) -> BackgroundSender:
    """A ``BackgroundSender`` woken after every commit of ``sessions`` that queued mail."""
    sender = BackgroundSender(sessions, mail_settings, interval=interval)

    def after_commit(session: Session) -> None:
        if session.info.pop(PENDING, False):
            sender.wake()

    def after_rollback(session: Session) -> None:
        session.info.pop(PENDING, None)

    atexit.register(sender.finish)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)
    return sender
