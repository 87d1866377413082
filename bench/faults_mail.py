"""Mail faults against a real ``sanad jobs run`` and a real SMTP server (aiosmtpd) on loopback:
the modes ``mail-down`` and ``mail-kill`` of ``bench/faults.py``.

    .venv/bin/python bench/faults.py mail-down [--messages 200 --down 45]
    .venv/bin/python bench/faults.py mail-kill [--messages 400 --kills 20]

``mail-down``: the SMTP server is down (its port closed) while messages are queued, some
before the runner starts and some during the outage; after ``--down`` seconds it comes back
on the same port. Every queued message must be delivered exactly once, none given up;
prints when they arrived after the server's return (the outbox's back-off sets that: 30 s,
1, 2, 4 min...).

Both run on SQLite, or with ``--postgres [URL]`` in a private schema of a PostgreSQL server.

``mail-kill``: ``kill -9`` of the job runner while it sends (the server takes ``--delay`` s
per message, so a kill lands mid-send), ``--kills`` times, restarting it each time. Then it
runs to an empty outbox. Every message must arrive; a copy may arrive twice only when the
server accepted it before a crash and the runner died before marking it sent, so at most one
duplicate per kill, each with a kill between its two arrivals. A message a runner had claimed
when it died is due again after the outbox's claim lease (5 minutes); the bench lets that
time pass by making such rows due at once instead of waiting (the one liberty it takes).
Exits 1 on any loss or a duplicate beyond that.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from faults import POSTGRES, ROOT, free_port, serve_env
from schemas import private_schema
from sqlalchemy import func, select, update

from portal.db import make_engine, make_session_factory, transaction, upgrade_database
from portal.notify.mail import OutgoingMail
from portal.notify.outbox import FAILED, QUEUED, SENT, OutboxMessage, enqueue

POSTGRES_URL = os.environ.get("SANAD_BENCH_POSTGRES_URL", POSTGRES)
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>]+>)", re.I | re.M)


@dataclass
class Sink:
    """The SMTP server: what it took (Message-ID, when), answering ``delay`` s later. A
    message counts as taken once its data is complete, as a real server then delivers it
    even if its answer never reaches a client that died meanwhile."""

    delay: float = 0.0
    accepted: list[tuple[str, float]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        found = _MESSAGE_ID.search(envelope.original_content or b"")
        self.accepted.append((found.group(1).decode() if found else "?", time.monotonic()))
        if self.delay:
            await asyncio.sleep(self.delay)
        return "250 2.0.0 Accepted"


class Server:
    """The sink on a fixed port, which can go down and come back on it."""

    def __init__(self, sink: Sink, port: int) -> None:
        self.sink, self.port = sink, port
        self.controller: Controller | None = None

    def up(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def down(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@dataclass
class Setup:
    url: str
    env: dict[str, str]
    work: Path


@contextmanager
def setup(args: argparse.Namespace, port: int) -> Iterator[Setup]:
    work = Path(tempfile.mkdtemp(prefix="sanad-faults-mail-"))
    with contextlib.ExitStack() as stack:
        url = args.database_url or f"sqlite:///{work / 'sanad.db'}"
        if args.postgres:
            url = stack.enter_context(private_schema(args.postgres))
        yield from _setup(url, work, port)


def _setup(url: str, work: Path, port: int) -> Iterator[Setup]:
    upgrade_database(url)
    shutil.copytree(ROOT / "articles", work / "articles")
    env = {
        **serve_env(url, work, work / "articles"),
        "SANAD_SMTP_HOST": "127.0.0.1",
        "SANAD_SMTP_PORT": str(port),
        "SANAD_SMTP_FROM": "Help desk <help@example.org>",
        "SANAD_JOBS_OUTBOX_SECONDS": "1",
        "SANAD_JOBS_LEASE_SECONDS": "5",
    }
    try:
        yield Setup(url, env, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def queue(url: str, count: int, start: int = 0) -> set[str]:
    """``count`` messages queued as a change would queue them; their Message-IDs."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    ids = set()
    with transaction(sessions) as session:
        for number in range(start, start + count):
            message_id = f"<fault-{number}@sanad.example.org>"
            mail = OutgoingMail(
                f"r{number}@example.net", f"رسالة {number}", "نص", message_id=message_id
            )
            enqueue(session, mail, now=now)
            ids.add(message_id)
    engine.dispose()
    return ids


def outbox_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    engine.dispose()
    return {status: int(count) for status, count in rows}


def let_claims_expire(url: str) -> int:
    """What the outbox's 5-minute claim lease does, at once: rows a dead runner had claimed
    (queued, due later although never tried) are due again."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(sessions) as session:
        done = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == QUEUED,
                OutboxMessage.attempts == 0,
                OutboxMessage.next_attempt_at > now,
            )
            .values(next_attempt_at=now)
        )
        count = int(getattr(done, "rowcount", 0) or 0)
    engine.dispose()
    return count


def start_runner(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    sanad = Path(sys.executable).parent / "sanad"
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(sanad), "jobs", "run"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop_runner(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_sent(url: str, total: int, timeout: float) -> float | None:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if outbox_counts(url).get(SENT, 0) >= total:
            return time.monotonic() - started
        time.sleep(0.25)
    return None


# --- mail-down --------------------------------------------------------------------------------


def mail_down(args: argparse.Namespace) -> int:
    port = free_port()
    sink = Sink()
    server = Server(sink, port)
    with setup(args, port) as where:
        log = where.work / "runner.log"
        expected = queue(where.url, args.messages // 2)  # queued while the server is down
        runner = start_runner(where.env, log)
        try:
            time.sleep(args.down / 2)
            expected |= queue(where.url, args.messages - len(expected), start=len(expected))
            time.sleep(args.down / 2)
            during = outbox_counts(where.url)
            server.up()
            back = time.monotonic()
            waited = wait_until_sent(where.url, len(expected), args.timeout)
        finally:
            stop_runner(runner)
            server.down()
        counts = outbox_counts(where.url)
        attempts = _attempts(where.url)
    copies = Counter(message_id for message_id, _ in sink.accepted)
    arrivals = sorted(at - back for _, at in sink.accepted)
    lost = expected - set(copies)
    doubled = sum(n - 1 for n in copies.values() if n > 1)
    print(
        f"mail-down: {len(expected)} messages queued, SMTP server down {args.down:.0f} s "
        f"(half queued before the runner started, half during the outage)"
    )
    print(f"outbox while down: {dict(sorted(during.items()))}")
    print(f"tries per message: {dict(sorted(attempts.items()))}")
    if arrivals:
        print(
            f"after the server returned: first delivered at {arrivals[0]:.1f} s, "
            f"half at {arrivals[len(arrivals) // 2]:.1f} s, last at {arrivals[-1]:.1f} s"
        )
    print(
        f"received {len(copies)} distinct, {len(lost)} lost, {doubled} duplicate(s); "
        f"outbox now {dict(sorted(counts.items()))}"
    )
    ok = waited is not None and not lost and not doubled and not counts.get(FAILED)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def _attempts(url: str) -> dict[int, int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(OutboxMessage.attempts, func.count()).group_by(OutboxMessage.attempts)
        ).all()
    engine.dispose()
    return {int(attempts): int(count) for attempts, count in rows}


# --- mail-kill --------------------------------------------------------------------------------


def mail_kill(args: argparse.Namespace) -> int:
    port = free_port()
    sink = Sink(delay=args.delay)
    server = Server(sink, port)
    server.up()
    kills: list[float] = []
    chance = random.Random(args.seed)
    with setup(args, port) as where:
        log = where.work / "runner.log"
        expected = queue(where.url, args.messages)
        released = 0
        try:
            for _ in range(args.kills):
                before = len(sink.accepted)
                runner = start_runner(where.env, log)
                deadline = time.monotonic() + 60
                # Mid-send: once it has sent a few, at any moment of a message's round
                # (connecting, sending, waiting for the answer, marking it sent).
                while len(sink.accepted) < before + 3 and time.monotonic() < deadline:
                    time.sleep(0.005)
                time.sleep(chance.uniform(0, 3 * args.delay))
                os.kill(runner.pid, signal.SIGKILL)
                runner.wait()
                kills.append(time.monotonic())
                released += let_claims_expire(where.url)
            runner = start_runner(where.env, log)
            waited = wait_until_sent(where.url, len(expected), args.timeout)
            stop_runner(runner)
        finally:
            server.down()
        counts = outbox_counts(where.url)
    copies = Counter(message_id for message_id, _ in sink.accepted)
    lost = expected - set(copies)
    duplicates = {m: n for m, n in copies.items() if n > 1}
    # Each duplicate: a kill between its first and its second arrival, one per kill at most.
    per_kill: Counter[int] = Counter()
    unexplained = 0
    for message_id in duplicates:
        times = [at for m, at in sink.accepted if m == message_id]
        between = [i for i, kill in enumerate(kills) if times[0] <= kill <= times[1]]
        if not between:
            unexplained += 1
        else:
            per_kill[between[0]] += 1
    print(
        f"mail-kill: {len(expected)} messages, kill -9 of `sanad jobs run` {len(kills)} times "
        f"mid-send (the server takes {args.delay * 1000:.0f} ms a message)"
    )
    print(
        f"claims left by the dead runners and made due again: {released}; "
        f"outbox now {dict(sorted(counts.items()))}"
        + ("" if waited is not None else " (NOT all sent in time)")
    )
    print(
        f"received {len(copies)} distinct of {len(expected)}, {len(lost)} lost, "
        f"{sum(n - 1 for n in duplicates.values())} duplicate(s) "
        f"(most copies of one message: {max(copies.values(), default=0)}); "
        f"at most {max(per_kill.values(), default=0)} per kill; "
        f"{unexplained} without a kill between its copies"
    )
    ok = (
        waited is not None
        and not lost
        and not unexplained
        and max(per_kill.values(), default=0) <= 1
        and max(copies.values(), default=0) <= 2
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


# --- the modes --------------------------------------------------------------------------------


def add_modes(modes: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    down = modes.add_parser("mail-down", help="the SMTP server is down for a while")
    down.add_argument("--messages", type=int, default=200)
    down.add_argument("--down", type=float, default=45.0, help="seconds the server is down")
    down.add_argument("--timeout", type=float, default=300.0, help="seconds to deliver all")
    down.add_argument("--database-url")
    down.add_argument("--postgres", nargs="?", const=POSTGRES_URL, help="in a private schema")
    down.set_defaults(run=mail_down)
    kill = modes.add_parser("mail-kill", help="kill -9 of the job runner mid-send")
    kill.add_argument("--messages", type=int, default=400)
    kill.add_argument("--kills", type=int, default=20)
    kill.add_argument("--delay", type=float, default=0.05, help="seconds the server takes")
    kill.add_argument("--timeout", type=float, default=300.0)
    kill.add_argument("--seed", type=int, default=13, help="of the moments of the kills")
    kill.add_argument("--database-url")
    kill.add_argument("--postgres", nargs="?", const=POSTGRES_URL, help="in a private schema")
    kill.set_defaults(run=mail_kill)
