"""What the job runner costs: a pass when nothing is due (what every worker of every host
pays each minute) and one lease round trip (take, heartbeat, record, free) of a job that does
nothing, on SQLite and PostgreSQL.

    .venv/bin/python bench/jobs.py [--rounds 300]

PostgreSQL is ``SANAD_BENCH_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``), in a private schema dropped after;
it is skipped with a message when it does not answer. Prints median and 95th percentile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from schemas import private_schema  # bench/ is on the path

from portal.config import load_settings
from portal.db import make_engine, make_session_factory, transaction, upgrade_database
from portal.jobs import (
    Job,
    JobContext,
    Runner,
    leases,
)

POSTGRES = os.environ.get(
    "SANAD_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NAMES = ("mail_outbox", "close_resolved_tickets", "attention_scan")


@contextmanager
def sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{Path(tmp) / 'bench.db'}"


def postgres() -> AbstractContextManager[str]:
    return private_schema(POSTGRES)


def timed(rounds: int, step: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        step()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure(url: str, rounds: int) -> dict[str, tuple[float, float]]:
    upgrade_database(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with tempfile.TemporaryDirectory() as instance:
        settings = load_settings(
            {"database_url": url, "instance_dir": Path(instance), "secret_key": "bench"},
            environ={},
        )
    context = JobContext(settings=settings, sessions=sessions)
    hour = dt.timedelta(hours=1)
    idle = Runner(context, [Job(name, every=hour, run=lambda _c, _n: None) for name in NAMES])
    idle.run_due()  # all three ran: none is due for an hour
    figures = {"pass, nothing due (3 jobs)": timed(rounds, idle.run_due)}
    busy = Runner(context, [Job("noop", every=hour, run=lambda _c, _n: None)])

    def one_run() -> None:
        with transaction(sessions) as session:
            leases.request_run(session, "noop", by="bench", now=dt.datetime.now(dt.UTC))
        assert busy.run_due()

    busy.run_due()
    figures["run now + lease round trip of a no-op job"] = timed(rounds, one_run)
    figures["look at the schedule (seconds_to_next)"] = timed(rounds, idle.seconds_to_next)
    engine.dispose()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    databases: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [
        ("SQLite", sqlite),
        ("PostgreSQL", postgres),
    ]
    for label, place in databases:
        try:
            with place() as url:
                figures = measure(url, args.rounds)
        except Exception as error:  # PostgreSQL absent: say so, measure the rest
            print(f"{label}: skipped ({str(error).splitlines()[0]})")
            continue
        for what, (median, p95) in figures.items():
            print(f"{label:<10}  {what:<45} median {median:6.2f} ms   p95 {p95:6.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
