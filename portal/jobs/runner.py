"""The runner: run every due job once (``run_due``), or keep doing so (``run_forever``).

For each job the runner takes the job's lease in the database (``portal.jobs.leases``),
runs it while a heartbeat thread renews the lease every third of its length, then records
the outcome and frees the job. Any number of runners may run side by side (every gunicorn
worker of every host, plus ``sanad jobs run``): the lease lets exactly one of them run a
given job at a time, and a runner that dies mid-run leaves a lease that runs out, after which
the next runner to look runs the job again. Jobs run one after another within a runner; two
runners spread the jobs between them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings
from portal.db import DatabaseError, reading, utcnow
from portal.jobs import leases
from portal.jobs.models import FAILED, HOLDER_LENGTH, OK, JobState
from portal.kb.repository import ArticleRepository
from portal.search.services import SearchService

log = logging.getLogger(__name__)

# The runner of `sanad serve` looks at least this often (and sooner when a job is due sooner).
TICK = dt.timedelta(seconds=60)
SHORTEST_WAIT = 1.0


@dataclass(frozen=True)
class JobContext:
    """What a job is called with: settings and storage. ``lease_lost`` is set when the
    runner could not renew the lease and another runner may have taken over; a long job may
    check it between steps and stop early."""

    settings: Settings
    sessions: sessionmaker[Session]
    repository: ArticleRepository | None = None  # jobs that read articles need it
    search: SearchService | None = None
    lease_lost: threading.Event = field(default_factory=threading.Event)


JobFunction = Callable[[JobContext, dt.datetime], object]
Clock = Callable[[], dt.datetime]
Interval = dt.timedelta | Callable[[Settings], dt.timedelta]


@dataclass(frozen=True)
class Job:
    """A periodic job: its ``name`` (the row of the jobs table, the CLI's and the admin
    page's), how often it is due (``every``: a fixed interval or one read from the
    settings) and ``run(context, now)``, whose return value, as text, is the run's summary.
    A job must be idempotent: a run cut off half-way is run again."""

    name: str
    every: Interval
    run: JobFunction

    def interval(self, settings: Settings) -> dt.timedelta:
        return self.every if isinstance(self.every, dt.timedelta) else self.every(settings)


@dataclass(frozen=True)
class Summary:
    """What a job may return: its figures by name (``{"closed": 3}``), which the admin page
    shows in the reader's language, and the same as one line of text for logs and the CLI."""

    counts: Mapping[str, int]
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RunResult:
    name: str
    outcome: str  # OK or FAILED
    detail: str
    seconds: float
    taken_over_from: str | None = None


def new_holder() -> str:
    """This runner's name in the lease: host, process and a random part (a restarted
    process with a recycled pid is still another holder)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[-HOLDER_LENGTH:]


def one_line(error: BaseException) -> str:
    """The error's type and first line, as the jobs table and the admin page show it."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    text = lines[0] if lines else ""
    return f"{type(original).__name__}: {text}" if text else type(original).__name__


def summary(result: object) -> str:
    if result is None:
        return ""
    return " ".join(str(result).split())


class _Heartbeat:
    """Renews one claim every third of the lease until stopped."""

    def __init__(
        self, context: JobContext, claim: leases.Claim, lease: dt.timedelta, clock: Clock
    ) -> None:
        self._context = context
        self._claim = claim
        self._lease = lease
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"sanad-lease-{claim.name}", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        every = self._lease.total_seconds() / 3
        while not self._stop.wait(every):
            try:
                held = leases.renew(
                    self._context.sessions, self._claim, now=self._clock(), lease=self._lease
                )
            except Exception as error:  # a database hiccup: try again at the next beat
                log.warning("could not renew the lease of job %s: %s", self._claim.name, error)
                continue
            if not held:
                log.error("job %s lost its lease; another runner may run it", self._claim.name)
                self._context.lease_lost.set()
                return


class Runner:
    """Runs ``jobs`` under leases as ``holder`` (a fresh name by default)."""

    def __init__(
        self,
        context: JobContext,
        jobs: Sequence[Job],
        *,
        holder: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"two jobs share a name: {names}")
        self.context = context
        self.jobs = tuple(jobs)
        self.holder = holder or new_holder()
        self._clock = clock
        self._ensured = False

    @property
    def lease(self) -> dt.timedelta:
        return self.context.settings.jobs.lease

    def run_due(self, stop: threading.Event | None = None) -> list[RunResult]:
        """Run every job that is due (or asked for, or abandoned by a crashed runner) and
        not held by another runner, one after the other; returns what ran."""
        if not self._ensured:
            leases.ensure_jobs(self.context.sessions, [j.name for j in self.jobs], self._clock())
            self._ensured = True
        results = []
        for job in self.jobs:
            if stop is not None and stop.is_set():
                break
            result = self.run_job(job)
            if result is not None:
                results.append(result)
        return results

    def run_job(self, job: Job) -> RunResult | None:
        """Run ``job`` if this runner gets its lease; None when it is not due or held."""
        settings = self.context.settings
        interval = job.interval(settings)
        now = self._clock()
        claim = leases.acquire(
            self.context.sessions,
            job.name,
            self.holder,
            now=now,
            lease=self.lease,
            interval=interval,
        )
        if claim is None:
            return None
        if claim.taken_over_from:
            log.warning(
                "job %s: the lease of %s ran out before its run finished; running it again",
                job.name,
                claim.taken_over_from,
            )
        context = dataclasses.replace(self.context, lease_lost=threading.Event())
        started = time.monotonic()
        counts = None
        with _Heartbeat(context, claim, self.lease, self._clock):
            try:
                returned = job.run(context, claim.started_at)
                detail, outcome = summary(returned), OK
                if isinstance(returned, Summary):
                    counts = json.dumps(dict(returned.counts))
            except Exception as error:  # recorded and retried; never kills the runner
                log.exception("job %s failed", job.name)
                detail, outcome = one_line(error), FAILED
        seconds = time.monotonic() - started
        finished = self._clock()
        next_due = max(claim.started_at + interval, finished)
        recorded = leases.release(
            self.context.sessions,
            claim,
            finished=finished,
            outcome=outcome,
            detail=detail,
            duration_ms=round(seconds * 1000),
            next_due=next_due,
            counts=counts,
        )
        if not recorded:
            log.error("job %s finished after losing its lease; its run is not recorded", job.name)
        return RunResult(job.name, outcome, detail, seconds, claim.taken_over_from)

    def seconds_to_next(self) -> float:
        """How long to sleep before a job may be due: the earliest next due time (or
        lease expiry of a held job), between one second and ``TICK``."""
        now = self._clock()
        with reading(self.context.sessions) as session:  # SQLite: no write lock to look
            rows = leases.states(session)
        wanted = [rows[job.name] for job in self.jobs if job.name in rows]
        if len(wanted) < len(self.jobs):
            return SHORTEST_WAIT
        soonest = min((_wake_time(row) for row in wanted), default=now + TICK)
        wait = (min(soonest, now + TICK) - now).total_seconds()
        return max(SHORTEST_WAIT, wait)

    def run_forever(self, stop: threading.Event, wake: threading.Event | None = None) -> None:
        """Run due jobs until ``stop`` is set (the job that is running then finishes first);
        ``wake`` cuts a sleep short (an admin's "run now")."""
        wake = wake or threading.Event()
        while not stop.is_set():
            wake.clear()
            try:
                self.run_due(stop)
                wait = self.seconds_to_next()
            except DatabaseError as error:  # an outage: the next pass tries again
                log.warning("the job runner could not reach the database: %s", one_line(error))
                wait = TICK.total_seconds()
            except Exception:  # a bug in the runner itself must not end the loop for good
                log.exception("the job runner's pass failed; it tries again in a minute")
                wait = TICK.total_seconds()
            if stop.is_set():
                break
            _wait_any(stop, wake, wait)


def _wake_time(row: JobState) -> dt.datetime:
    if row.holder is not None and row.lease_expires_at is not None:
        return row.lease_expires_at
    if row.requested_at is not None:
        return row.requested_at
    return row.next_due_at


def _wait_any(stop: threading.Event, wake: threading.Event, seconds: float) -> None:
    """Sleep until ``stop`` or ``wake`` is set, or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and not wake.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        wake.wait(min(left, 0.5))


class BackgroundRunner:
    """``Runner.run_forever`` in a daemon thread of this process (one per gunicorn worker).

    Started after the fork, in the worker: a thread does not survive ``fork``."""

    def __init__(self, runner: Runner) -> None:
        self.runner = runner
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sanad-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for due jobs now (an admin asked for a run)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the running job, if any, waiting at most ``timeout`` seconds (a job
        cut off by the process's exit is run again once its lease runs out)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        try:
            self.runner.run_forever(self._stop, self._wake)
        except Exception:  # never expected: run_forever catches what a job or the db raise
            log.exception("the job runner stopped")
