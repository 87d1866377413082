"""Mail throughput: intake of messages into tickets, and the outbox drained to a loopback
SMTP server (aiosmtpd). Prints messages per second; targets: intake >= 50/s, drain >= 100/s.

    .venv/bin/python bench/mail.py [--count 300] [--database-url URL | --postgres [URL]]

``--postgres`` runs in a private schema of that server (default SANAD_BENCH_POSTGRES_URL or
the local test server), dropped afterwards. Intake is also given per CPU second of this
process (on SQLite, where the database runs in-process, that is nearly all of its work):
the machine is shared, and wall-clock figures swing with its load.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import socket
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from schemas import private_schema

from portal import create_app
from portal.config import MailSettings
from portal.db import transaction, upgrade_database, utcnow
from portal.mailin.intake import take_mail
from portal.notify.mail import OutgoingMail
from portal.notify.outbox import deliver_due, enqueue

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WARM = 10


class Sink:
    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received += 1
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def raw_mail(number: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"sender{number % 40}@example.net"
    mail["To"] = "help@example.org"
    mail["Subject"] = f"طلب رقم {number}: لا يعمل الحساب"
    mail["Message-ID"] = make_msgid(domain="bench.example.net")
    mail.set_content(f"السلام عليكم، الرسالة {number}.\n\nOn Mon, someone wrote:\n> old\n")
    return mail.as_bytes()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=os.environ.get("SANAD_BENCH_POSTGRES_URL", POSTGRES),
        help="a PostgreSQL server to run in a private schema of",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        work = Path(tempfile.mkdtemp(prefix="sanad-bench-mail-"))
        url = args.database_url or f"sqlite:///{work / 'sanad.db'}"
        if args.postgres:
            url = stack.enter_context(private_schema(args.postgres))
        return run(args.count, url, work)


def run(count: int, url: str, work: Path) -> int:
    upgrade_database(url)
    (work / "articles").mkdir()
    app = create_app(
        {
            "instance_dir": work / "instance",
            "database_url": url,
            "articles_dir": work / "articles",
            "index_dir": work / "index",
            "secret_key": "bench",
            "testing": True,  # no background sender: this bench drains the outbox itself
            "SANAD_SMTP_FROM": "Help <help@example.org>",
            "SANAD_MAIL_SENDER_HOURLY_LIMIT": "100000",
        }
    )
    services = app.extensions["sanad"]
    mails = [raw_mail(n) for n in range(count + WARM)]
    for raw in mails[:WARM]:  # compiled statements, loaded templates: a running listener's state
        take_mail(services.sessions, services.settings, raw, now=utcnow())
    started, cpu = time.perf_counter(), time.process_time()
    for raw in mails[WARM:]:
        taken = take_mail(services.sessions, services.settings, raw, now=utcnow())
        assert taken.outcome == "opened", taken
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    intake = count / seconds
    print(
        f"intake: {count} messages into tickets, {intake:.0f} messages/s (target 50); "
        f"{cpu / count * 1000:.1f} ms of this process's CPU a message ({count / cpu:.0f}/s "
        f"of CPU); load average {os.getloadavg()[0]:.1f}"
    )

    port = free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    with transaction(services.sessions) as session:
        for n in range(count):
            enqueue(
                session, OutgoingMail(f"r{n}@example.net", f"Subject {n}", "Body"), now=utcnow()
            )
    settings = MailSettings(host="127.0.0.1", port=port, sender="Help <help@example.org>")
    far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    started = time.perf_counter()
    sent = 0
    while True:
        batch = deliver_due(services.sessions, settings, far, limit=100)
        sent += batch.sent
        if batch.sent + batch.retried + batch.failed == 0:
            break
    drain = sent / (time.perf_counter() - started)
    controller.stop()
    print(
        f"outbox drain: {sent} queued messages (incl. the ticket-received mails), "
        f"{sink.received} received, {drain:.0f} messages/s (target 100)"
    )
    return 0 if intake >= 50 and drain >= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
