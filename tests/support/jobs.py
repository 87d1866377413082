"""Helpers of the job runner's tests: a hand-moved clock, and a job that counts its runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from portal.jobs import JobContext


class Clock:
    """``utcnow`` for a runner, moved by the test."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


@dataclass
class Counting:
    """A job function that records the ``now`` of every run and may fail on demand."""

    calls: list[dt.datetime] = field(default_factory=list)
    fail_with: BaseException | None = None

    def __call__(self, _context: JobContext, now: dt.datetime) -> str:
        self.calls.append(now)
        if self.fail_with is not None:
            raise self.fail_with
        return f"run {len(self.calls)}"
