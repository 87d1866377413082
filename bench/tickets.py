"""Ticket creation under load: N concurrent API clients against ``sanad serve`` (gunicorn).

Each client is its own requester with an API token and submits its share of the tickets at an
even pace over the run (a busy morning, not a flood), so the per-person creation limit is not
what is measured. Afterwards every accepted reference is looked up in the database.

Prints, per database: accepted, lost (accepted but missing or duplicated: must be 0), 5xx (must
be 0), other refusals, and latency p50/p95.

    .venv/bin/python bench/tickets.py                       # SQLite, then PostgreSQL if set
    SANAD_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/tickets.py --tickets 200 --clients 20 --duration 60
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas import private_schema  # noqa: E402  (bench/ is on the path)

from portal.accounts.services import create_api_token, create_user  # noqa: E402
from portal.config import AccountSettings  # noqa: E402
from portal.db import make_engine, make_session_factory, transaction, upgrade_database  # noqa: E402
from portal.tickets.models import Ticket  # noqa: E402

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)


@dataclass
class Outcome:
    statuses: list[int] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_tokens(database_url: str, count: int) -> list[str]:
    """One requester with an API token per client."""
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    tokens = []
    with transaction(sessions) as session:
        for number in range(count):
            email = f"bench{number}@example.com"
            create_user(
                session,
                CHEAP,
                email=email,
                name=f"Bench {number}",
                password="correct-Horse-battery-9",  # noqa: S106  (a throwaway database)
                now=now,
            )
            tokens.append(create_api_token(session, email=email, now=now))
    engine.dispose()
    return tokens


def client(
    base: str, token: str, count: int, pause: float, index: int, clients: int, out: Outcome
) -> None:
    # Clients start spread over one pause, so requests arrive evenly rather than in bursts.
    time.sleep(pause * index / clients)
    for number in range(count):
        body = json.dumps(
            {
                "subject": f"الشبكة لا تعمل {index}-{number}",
                "body": "انقطع الاتصال بالشبكة في المكتب منذ الصباح.",
                "searches": ["الشبكة لا تعمل"],
            }
        ).encode()
        request = urllib.request.Request(
            base + "/api/v1/tickets",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        reference = ""
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status = response.status
                reference = json.loads(response.read())["reference"]
        except urllib.error.HTTPError as error:
            status = error.code
        except OSError:
            status = 599  # connection refused or reset: counted as a server failure
        elapsed = time.perf_counter() - started
        with out.lock:
            out.statuses.append(status)
            out.latencies.append(elapsed)
            if reference:
                out.references.append(reference)
        if number < count - 1:
            time.sleep(max(0.0, pause - elapsed))


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"sanad serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/api/v1/articles", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("sanad serve did not start in time")


def run(label: str, database_url: str, args: argparse.Namespace) -> bool:
    work = Path(tempfile.mkdtemp(prefix="sanad-bench-"))
    try:
        upgrade_database(database_url)
        tokens = make_tokens(database_url, args.clients)
        port = free_port()
        env = {
            **os.environ,
            "SANAD_DATABASE_URL": database_url,
            "SANAD_INSTANCE_DIR": str(work / "instance"),
            "SANAD_INDEX_DIR": str(work / "search_index"),
            "SANAD_ARTICLES_DIR": str(ROOT / "articles"),
            "SANAD_SECRET_KEY": "bench-secret",
            "SANAD_DEMO": "0",
            # This checkout's code, even when another one is installed in the virtualenv.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        }
        sanad = Path(sys.executable).parent / "sanad"
        process = subprocess.Popen(
            [str(sanad), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, process)
            per_client = -(-args.tickets // args.clients)
            pause = args.duration / per_client if args.duration else 0.0
            out = Outcome()
            threads = [
                threading.Thread(
                    target=client,
                    args=(base, tokens[i], per_client, pause, i, args.clients, out),
                )
                for i in range(args.clients)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)
        engine = create_engine(database_url)
        with engine.connect() as conn:
            stored = set(conn.scalars(select(Ticket.reference)).all())
            total = conn.scalar(select(func.count(Ticket.id))) or 0
        engine.dispose()
        accepted = out.statuses.count(201)
        duplicated = len(out.references) - len(set(out.references))
        lost = sum(1 for r in set(out.references) if r not in stored) + duplicated
        server_errors = sum(1 for s in out.statuses if s >= 500)
        refused = len(out.statuses) - accepted - server_errors
        latencies = sorted(out.latencies)
        p50 = statistics.median(latencies) * 1000
        p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000
        print(
            f"{label:10} sent {len(out.statuses)} in {wall:.1f} s  accepted {accepted}  "
            f"lost {lost}  5xx {server_errors}  refused {refused}  stored {total}  "
            f"p50 {p50:.0f} ms  p95 {p95:.0f} ms"
        )
        return lost == 0 and server_errors == 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds; 0: no pacing")
    parser.add_argument("--postgres-url", default=os.environ.get("SANAD_BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="sanad-bench-db-") as tmp:
        ok &= run("sqlite", f"sqlite:///{Path(tmp) / 'sanad.db'}", args)
    if args.postgres_url:
        with private_schema(args.postgres_url) as url:
            ok &= run("postgresql", url, args)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
