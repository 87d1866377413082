"""The runner under leases, in one process: schedule, outcomes, leases held, lost and
taken over, and an admin's "run now"."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.models import UserInfo
from portal.db import transaction, utcnow
from portal.jobs import Job, JobContext, Runner, leases
from portal.jobs.service import (
    JobNotFound,
    JobsForbidden,
    JobView,
    job_views,
    list_jobs,
    request_run,
)
from tests.support.jobs import Clock, Counting

HOUR = dt.timedelta(hours=1)


def view(
    sessions: sessionmaker[Session], jobs: list[Job], context: JobContext, now: dt.datetime
) -> dict[str, JobView]:
    with sessions() as session:
        return {v.name: v for v in job_views(session, jobs, context.settings, now=now)}


def test_a_due_job_runs_once_per_interval_and_its_run_is_recorded(
    context: JobContext, sessions: sessionmaker[Session], clock: Clock
) -> None:
    job_fn = Counting()
    jobs = [Job("tick", every=HOUR, run=job_fn)]
    runner = Runner(context, jobs, clock=clock)
    started = clock.now

    [result] = runner.run_due()
    assert (result.name, result.outcome, result.detail) == ("tick", "ok", "run 1")
    assert runner.run_due() == []  # not due again within the hour
    clock.advance(minutes=59)
    assert runner.run_due() == []
    clock.advance(minutes=1)
    assert [r.detail for r in runner.run_due()] == ["run 2"]
    assert job_fn.calls == [started, started + HOUR]

    shown = view(sessions, jobs, context, clock.now)["tick"]
    assert (shown.last_outcome, shown.last_detail, shown.runs, shown.failures) == (
        "ok",
        "run 2",
        2,
        0,
    )
    assert shown.last_started_at == started + HOUR
    assert shown.next_due_at == started + 2 * HOUR
    assert shown.last_seconds is not None
    assert shown.running_since is None


def test_a_failing_job_is_recorded_with_its_one_line_error_and_the_next_job_still_runs(
    context: JobContext, sessions: sessionmaker[Session], clock: Clock
) -> None:
    broken = Counting(fail_with=RuntimeError("the mail server said no\nTraceback lines"))
    fine = Counting()
    jobs = [Job("broken", every=HOUR, run=broken), Job("fine", every=HOUR, run=fine)]
    results = Runner(context, jobs, clock=clock).run_due()
    assert [(r.name, r.outcome) for r in results] == [("broken", "failed"), ("fine", "ok")]
    shown = view(sessions, jobs, context, clock.now)["broken"]
    assert shown.last_outcome == "failed"
    assert shown.last_detail == "RuntimeError: the mail server said no"
    assert (shown.runs, shown.failures) == (1, 1)
    # Failed runs are retried on the job's schedule, like successful ones.
    clock.advance(hours=1)
    broken.fail_with = None
    assert [r.outcome for r in Runner(context, jobs[:1], clock=clock).run_due()] == ["ok"]


def test_a_held_job_is_left_alone_until_its_holders_lease_runs_out(
    context: JobContext, sessions: sessionmaker[Session], clock: Clock
) -> None:
    job_fn = Counting()
    jobs = [Job("tick", every=HOUR, run=job_fn)]
    lease = context.settings.jobs.lease
    leases.ensure_jobs(sessions, ["tick"], clock.now)
    crashed = leases.acquire(
        sessions, "tick", "host-a:1:dead", now=clock.now, lease=lease, interval=HOUR
    )
    assert crashed is not None

    other = Runner(context, jobs, holder="host-b:2:alive", clock=clock)
    assert other.run_due() == []
    assert view(sessions, jobs, context, clock.now)["tick"].running_since == clock.now
    clock.advance(seconds=lease.total_seconds() - 1)
    assert other.run_due() == []
    clock.advance(seconds=1)  # the crashed holder's lease has run out: the job runs again
    [result] = other.run_due()
    assert (result.outcome, result.taken_over_from) == ("ok", "host-a:1:dead")
    assert len(job_fn.calls) == 1
    # The crashed runner, should it wake up, can no longer renew or record anything.
    assert not leases.renew(sessions, crashed, now=clock.now, lease=lease)
    assert not leases.release(
        sessions,
        crashed,
        finished=clock.now,
        outcome="failed",
        detail="late",
        duration_ms=1,
        next_due=clock.now,
    )
    assert view(sessions, jobs, context, clock.now)["tick"].last_detail == "run 1"


def test_the_lease_is_renewed_while_a_long_job_runs(
    context: JobContext, sessions: sessionmaker[Session]
) -> None:
    short = dataclasses.replace(
        context.settings,
        jobs=dataclasses.replace(context.settings.jobs, lease=dt.timedelta(seconds=0.6)),
    )
    context = dataclasses.replace(context, settings=short)
    inside = threading.Event()
    release = threading.Event()

    def slow(_context: JobContext, _now: dt.datetime) -> str:
        inside.set()
        release.wait(10)
        return "done"

    jobs = [Job("slow", every=HOUR, run=slow)]
    first = Runner(context, jobs)
    thread = threading.Thread(target=first.run_due)
    thread.start()
    try:
        assert inside.wait(10)
        second = Runner(context, jobs)
        deadline = time.monotonic() + 2.0  # more than three lease lengths
        while time.monotonic() < deadline:
            assert second.run_due() == [], "a renewed lease was taken over"
            time.sleep(0.1)
    finally:
        release.set()
        thread.join(10)
    shown = view(sessions, jobs, context, utcnow())["slow"]
    assert (shown.runs, shown.last_detail, shown.holder) == (1, "done", None)


def test_run_now_runs_a_job_that_is_not_due_and_only_admins_may_ask(
    context: JobContext,
    sessions: sessionmaker[Session],
    clock: Clock,
    make_user: Callable[..., UserInfo],
) -> None:
    job_fn = Counting()
    jobs = [Job("tick", every=HOUR, run=job_fn)]
    runner = Runner(context, jobs, clock=clock)
    runner.run_due()
    admin, agent = make_user("admin"), make_user("agent")

    with transaction(sessions) as session, pytest.raises(JobsForbidden):
        request_run(session, agent, "tick", jobs, now=clock.now)
    with transaction(sessions) as session, pytest.raises(JobsForbidden):
        request_run(session, None, "tick", jobs, now=clock.now)
    with transaction(sessions) as session, pytest.raises(JobsForbidden):
        list_jobs(session, agent, jobs, context.settings, now=clock.now)
    with transaction(sessions) as session, pytest.raises(JobNotFound):
        request_run(session, admin, "no-such-job", jobs, now=clock.now)
    assert runner.run_due() == []

    clock.advance(minutes=5)
    with transaction(sessions) as session:
        request_run(session, admin, "tick", jobs, now=clock.now)
    with sessions() as session:
        [shown] = list_jobs(session, admin, jobs, context.settings, now=clock.now)
    assert (shown.requested_by, shown.requested_at) == (admin.email, clock.now)
    assert [r.detail for r in runner.run_due()] == ["run 2"]
    assert runner.run_due() == []  # the request is used up; the schedule starts afresh
    shown = view(sessions, jobs, context, clock.now)["tick"]
    assert shown.requested_at is None
    assert shown.next_due_at == clock.now + HOUR


def test_a_job_never_looked_at_is_listed_as_due(
    context: JobContext, sessions: sessionmaker[Session], clock: Clock
) -> None:
    jobs = [Job("new", every=HOUR, run=Counting())]
    shown = view(sessions, jobs, context, clock.now)["new"]
    assert (shown.next_due_at, shown.last_outcome, shown.runs) == (None, None, 0)


def test_a_shortened_interval_takes_effect_without_waiting_for_the_old_due_time(
    context: JobContext, clock: Clock
) -> None:
    job_fn = Counting()
    Runner(context, [Job("tick", every=24 * HOUR, run=job_fn)], clock=clock).run_due()
    clock.advance(hours=1)
    assert Runner(context, [Job("tick", every=HOUR, run=job_fn)], clock=clock).run_due()
    assert len(job_fn.calls) == 2


def test_the_background_runner_stops_cleanly_and_wakes_on_request(
    context: JobContext, sessions: sessionmaker[Session]
) -> None:
    from portal.jobs import BackgroundRunner

    job_fn = Counting()
    jobs = [Job("tick", every=HOUR, run=job_fn)]
    background = BackgroundRunner(Runner(context, jobs))
    background.start()
    try:
        deadline = time.monotonic() + 10
        while not job_fn.calls and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(job_fn.calls) == 1
        with transaction(sessions) as session:
            leases.request_run(session, "tick", by="admin@example.com", now=utcnow())
        background.wake()
        deadline = time.monotonic() + 10
        while len(job_fn.calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(job_fn.calls) == 2  # woken: no minute-long wait for the next tick
    finally:
        background.stop()
    assert not background.alive
