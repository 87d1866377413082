"""The SQL of the leases: who runs a job, atomically, on SQLite and PostgreSQL alike.

Each function is one short transaction of its own. ``acquire`` is a single conditional
UPDATE: its WHERE clause says "nobody holds it (or the holder's lease has run out) and it is
due", so of any number of runners on any number of hosts exactly one sees a row updated.
PostgreSQL re-checks the WHERE clause on the row version the winner committed (the others
then update nothing); SQLite lets one writer in at a time (``BEGIN IMMEDIATE``). Renewing and
releasing are conditional on still being the holder, so a runner that lost its lease (paused
past the expiry while another took over) can no longer write the job's record.

Times come from the runners' clocks (``now``): hosts keep them in step with NTP, and a lease
lasts a minute, far beyond any drift NTP allows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.jobs.models import DETAIL_LENGTH, FAILED, JobState


@dataclass(frozen=True)
class Claim:
    """A lease one runner holds on one job."""

    name: str
    holder: str
    started_at: dt.datetime
    taken_over_from: str | None  # a crashed holder whose lease ran out, if any


def _insert_missing(session: Session, names: Iterable[str], now: dt.datetime) -> None:
    rows = [{"name": name, "next_due_at": now, "runs": 0, "failures": 0} for name in names]
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(JobState).values(rows).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(JobState).values(rows).on_conflict_do_nothing())


def ensure_jobs(sessions: sessionmaker[Session], names: Iterable[str], now: dt.datetime) -> None:
    """Create the rows of jobs no runner has seen yet, due at once."""
    wanted = list(names)
    with transaction(sessions) as session:
        known = set(session.scalars(select(JobState.name).where(JobState.name.in_(wanted))))
        _insert_missing(session, [n for n in wanted if n not in known], now)


def acquire(
    sessions: sessionmaker[Session],
    name: str,
    holder: str,
    *,
    now: dt.datetime,
    lease: dt.timedelta,
    interval: dt.timedelta,
) -> Claim | None:
    """Take the lease on ``name`` if it is free and due, or held by a runner whose lease ran
    out (its run never finished, so it is due whatever the schedule says). None: not due,
    or another runner has it."""
    free_and_due = and_(
        JobState.holder.is_(None),
        or_(
            JobState.next_due_at <= now,
            JobState.requested_at.is_not(None),
            # The interval was shortened since the next due time was written.
            JobState.last_started_at <= now - interval,
        ),
    )
    abandoned = and_(JobState.holder.is_not(None), JobState.lease_expires_at <= now)
    with transaction(sessions) as session:
        result = session.execute(
            update(JobState)
            .where(JobState.name == name, or_(free_and_due, abandoned))
            .values(
                holder=holder,
                lease_expires_at=now + lease,
                started_at=now,
                # SET expressions read the row as it was: the holder we replace, if any.
                taken_over_from=JobState.holder,
                # This run answers any "run now"; one asked for during it runs again after.
                requested_at=None,
                requested_by=None,
            )
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return None
        row = session.get(JobState, name)
        assert row is not None
        return Claim(
            name=name,
            holder=holder,
            started_at=now,
            taken_over_from=row.taken_over_from,
        )


def renew(
    sessions: sessionmaker[Session],
    claim: Claim,
    *,
    now: dt.datetime,
    lease: dt.timedelta,
) -> bool:
    """Push the lease's expiry on; False when this runner no longer holds it."""
    with transaction(sessions) as session:
        result = session.execute(
            update(JobState)
            .where(JobState.name == claim.name, JobState.holder == claim.holder)
            .values(lease_expires_at=now + lease)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


def release(
    sessions: sessionmaker[Session],
    claim: Claim,
    *,
    finished: dt.datetime,
    outcome: str,
    detail: str,
    duration_ms: int,
    next_due: dt.datetime,
    counts: str | None = None,
) -> bool:
    """Record the run and free the job; False when the lease had been lost (the run's record
    is then left to the runner that holds it now)."""
    with transaction(sessions) as session:
        result = session.execute(
            update(JobState)
            .where(JobState.name == claim.name, JobState.holder == claim.holder)
            .values(
                holder=None,
                lease_expires_at=None,
                started_at=None,
                next_due_at=next_due,
                last_started_at=claim.started_at,
                last_finished_at=finished,
                last_outcome=outcome,
                last_detail=detail[:DETAIL_LENGTH],
                last_counts=counts,
                last_duration_ms=duration_ms,
                runs=JobState.runs + 1,
                failures=JobState.failures + (1 if outcome == FAILED else 0),
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


def request_run(session: Session, name: str, *, by: str, now: dt.datetime) -> None:
    """Mark ``name`` to run at the next pass of any runner, whatever its schedule."""
    if session.get(JobState, name) is None:
        _insert_missing(session, [name], now)
    session.execute(
        update(JobState)
        .where(JobState.name == name)
        .values(requested_at=now, requested_by=by)
        .execution_options(synchronize_session=False)
    )


def states(session: Session) -> dict[str, JobState]:
    return {row.name: row for row in session.scalars(select(JobState))}
