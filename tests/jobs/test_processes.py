"""Real processes racing for one job, on SQLite and (under SANAD_TEST_DATABASE=postgres)
PostgreSQL: exactly one run per interval, never two at once, and a killed holder's job runs
again once its lease has run out."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from portal.config import PROJECT_ROOT
from portal.jobs import Job, JobContext, Runner
from portal.jobs.service import job_views
from tests.support.jobs import Counting

PROCESSES = 4
INTERVAL = 2.0
SECONDS = 10.0
LEASE = dt.timedelta(seconds=2)  # tests.support.job_race.LEASE


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.job_race", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stderr=subprocess.PIPE,
    )


def test_racing_processes_run_the_job_exactly_once_per_interval(
    tmp_path: Path, database_url: str, context: JobContext, sessions: sessionmaker[Session]
) -> None:
    log = tmp_path / "runs.log"
    start = time.time() + 6.0  # every process has imported Sanad by then, even on a busy box
    end = start + SECONDS
    procs = [
        _spawn("race", database_url, str(log), f"{start}", f"{end}", f"{INTERVAL}")
        for _ in range(PROCESSES)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()

    runs = [tuple(map(float, line.split())) for line in log.read_text().splitlines()]
    pids = {int(run[0]) for run in runs}
    dues = sorted(run[1] for run in runs)
    spans = sorted((run[2], run[3]) for run in runs)
    # Never two at once: each run ended before the next one began.
    assert all(ended <= began for (_b, ended), (began, _e) in itertools.pairwise(spans))
    # Never twice in one interval, by the runners' clock...
    assert all(later - earlier >= INTERVAL for earlier, later in itertools.pairwise(dues))
    # ...and none missed: about one run per interval of the race.
    assert SECONDS / INTERVAL - 1 <= len(runs) <= SECONDS / INTERVAL + 1
    assert len(pids) >= 1
    with sessions() as session:
        [shown] = job_views(
            session,
            [Job("race", every=dt.timedelta(seconds=INTERVAL), run=Counting())],
            context.settings,
            now=dt.datetime.now(dt.UTC),
        )
    assert (shown.runs, shown.failures, shown.holder) == (len(runs), 0, None)


def test_a_killed_holders_job_runs_again_after_its_lease_runs_out(
    tmp_path: Path, database_url: str, context: JobContext
) -> None:
    log = tmp_path / "hang.log"
    proc = _spawn("hang", database_url, str(log))
    try:
        deadline = time.monotonic() + 60
        while not (log.exists() and log.read_text().strip()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.1)
        pid, holder = log.read_text().split()
        assert int(pid) == proc.pid
        retry = Counting()
        survivor = Runner(
            context_with_lease(context), [Job("stuck", every=dt.timedelta(hours=1), run=retry)]
        )
        time.sleep(LEASE.total_seconds() * 1.5)
        assert survivor.run_due() == []  # alive: its heartbeat keeps the lease
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        killed = time.monotonic()
        results = survivor.run_due()
        assert results == []  # the lease it last renewed still holds
        while not retry.calls and time.monotonic() - killed < LEASE.total_seconds() + 10:
            results = survivor.run_due()
            time.sleep(0.1)
        assert len(retry.calls) == 1
        assert [(r.outcome, r.taken_over_from) for r in results] == [("ok", holder)]
        assert time.monotonic() - killed <= LEASE.total_seconds() + 5  # soon, not never
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)  # reaps it and closes its pipe


def context_with_lease(context: JobContext) -> JobContext:
    jobs = dataclasses.replace(context.settings.jobs, lease=LEASE)
    return dataclasses.replace(context, settings=dataclasses.replace(context.settings, jobs=jobs))
