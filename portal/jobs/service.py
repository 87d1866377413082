"""What people see of the jobs and may do with them: the list (admin page, ``sanad jobs
list``) and an admin's "run now". Role checks live here, not only in the views."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.config import Settings
from portal.jobs import leases
from portal.jobs.models import JobState
from portal.jobs.runner import Job

ADMIN = "admin"


class JobsError(Exception):
    """Base of the jobs' domain errors."""


class JobsForbidden(JobsError):
    """Only admins see and start jobs."""


class JobNotFound(JobsError):
    """No registered job has that name."""


@dataclass(frozen=True)
class JobView:
    """One job as the admin page and the CLI show it."""

    name: str
    interval: dt.timedelta
    next_due_at: dt.datetime | None  # None: never looked at, due at the first pass
    last_started_at: dt.datetime | None = None
    last_finished_at: dt.datetime | None = None
    last_outcome: str | None = None  # "ok" | "failed" | None (never ran)
    last_detail: str = ""
    last_counts: tuple[tuple[str, int], ...] = ()  # a Summary's figures, in its order
    last_seconds: float | None = None
    runs: int = 0
    failures: int = 0
    running_since: dt.datetime | None = None  # a runner holds the lease now
    holder: str | None = None
    stalled: bool = False  # held by a runner whose lease ran out (crashed): retried soon
    requested_at: dt.datetime | None = None
    requested_by: str | None = None


def _view(job: Job, settings: Settings, row: JobState | None, now: dt.datetime) -> JobView:
    interval = job.interval(settings)
    if row is None:
        return JobView(name=job.name, interval=interval, next_due_at=None)
    held = row.holder is not None
    stalled = held and row.lease_expires_at is not None and row.lease_expires_at <= now
    return JobView(
        name=job.name,
        interval=interval,
        next_due_at=row.next_due_at,
        last_started_at=row.last_started_at,
        last_finished_at=row.last_finished_at,
        last_outcome=row.last_outcome,
        last_detail=row.last_detail or "",
        last_counts=_counts(row.last_counts),
        last_seconds=None if row.last_duration_ms is None else row.last_duration_ms / 1000,
        runs=row.runs or 0,
        failures=row.failures or 0,
        running_since=row.started_at if held else None,
        holder=row.holder,
        stalled=stalled,
        requested_at=row.requested_at,
        requested_by=row.requested_by,
    )


def _counts(stored: str | None) -> tuple[tuple[str, int], ...]:
    try:
        found = json.loads(stored) if stored else {}
    except ValueError:
        return ()
    if not isinstance(found, dict):
        return ()
    return tuple((str(k), v) for k, v in found.items() if isinstance(v, int))


def job_views(
    session: Session, jobs: Sequence[Job], settings: Settings, *, now: dt.datetime
) -> list[JobView]:
    """Every registered job with its last run (for the operator's CLI)."""
    rows = leases.states(session)
    return [_view(job, settings, rows.get(job.name), now) for job in jobs]


def _admin_only(viewer: UserInfo | None) -> UserInfo:
    if viewer is None or not viewer.active or ADMIN not in viewer.roles:
        raise JobsForbidden("only admins see and start jobs")
    return viewer


def list_jobs(
    session: Session,
    viewer: UserInfo | None,
    jobs: Sequence[Job],
    settings: Settings,
    *,
    now: dt.datetime,
) -> list[JobView]:
    """The admin page's list; admins only."""
    _admin_only(viewer)
    return job_views(session, jobs, settings, now=now)


def request_run(
    session: Session,
    viewer: UserInfo | None,
    name: str,
    jobs: Sequence[Job],
    *,
    now: dt.datetime,
) -> None:
    """An admin's "run now": the next pass of any runner runs ``name`` whatever its
    schedule (at once when a runner is woken; a job running now runs again after)."""
    admin = _admin_only(viewer)
    if name not in {job.name for job in jobs}:
        raise JobNotFound(name)
    leases.request_run(session, name, by=admin.email, now=now)
