"""A job runner process for the race tests: ``python -m tests.support.job_race MODE URL LOG``.

``race`` (with START END INTERVAL): from the wall-clock time START to END (Unix seconds), run
the runner loop over one job, ``race``, due every INTERVAL seconds, which appends
"pid now started finished" to LOG and takes a little while. ``hang``: run one job, ``stuck``,
that appends "pid holder" to LOG and then sleeps until the process is killed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
import time
from pathlib import Path

from portal.config import load_settings
from portal.db import make_engine, make_session_factory
from portal.jobs import Job, JobContext, Runner

LEASE = dt.timedelta(seconds=2)
WORK_SECONDS = 0.3


def _context(url: str, instance: Path) -> JobContext:
    settings = load_settings(
        {
            "database_url": url,
            "instance_dir": instance,
            "secret_key": "race",
            "jobs.lease": LEASE,
            "testing": True,
        },
        environ={},
    )
    return JobContext(settings=settings, sessions=make_session_factory(make_engine(url)))


def _append(log: Path, line: str) -> None:
    with log.open("a", encoding="utf-8") as handle:  # O_APPEND: lines never interleave
        handle.write(line + "\n")


def race(url: str, log: Path, start: float, end: float, interval: float) -> None:
    def record(_context: JobContext, now: dt.datetime) -> str:
        began = time.time()
        time.sleep(WORK_SECONDS)
        _append(log, f"{os.getpid()} {now.timestamp():.6f} {began:.6f} {time.time():.6f}")
        return "recorded"

    runner = Runner(
        _context(url, log.parent), [Job("race", every=dt.timedelta(seconds=interval), run=record)]
    )
    time.sleep(max(0.0, start - time.time()))
    stop = threading.Event()
    threading.Timer(max(0.0, end - time.time()), stop.set).start()
    runner.run_forever(stop)


def hang(url: str, log: Path) -> None:
    holder = f"hang:{os.getpid()}"

    def stuck(_context: JobContext, _now: dt.datetime) -> str:
        _append(log, f"{os.getpid()} {holder}")
        time.sleep(3600)
        return "never"

    job = Job("stuck", every=dt.timedelta(hours=1), run=stuck)
    Runner(_context(url, log.parent), [job], holder=holder).run_due()


if __name__ == "__main__":
    mode, url, log_path, *rest = sys.argv[1:]
    if mode == "race":
        race(url, Path(log_path), float(rest[0]), float(rest[1]), float(rest[2]))
    else:
        hang(url, Path(log_path))
