"""What every report computation is given: the session, the site's calendar and "now".

Working time is read from a cumulative index of the calendar's working intervals (``_Clock``):
the working microseconds before an instant are one bisect away, so the working time between two
instants is a subtraction, exact to the microsecond and the same as summing the calendar's
periods (``Calendar.working_time_between``), at a hundred thousand tickets.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from portal.sla.calendar import Calendar
from portal.tickets.service_levels import load_context

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICRO = dt.timedelta(microseconds=1)
MINUTE_US = 60_000_000
MARGIN_DAYS = 31  # the index is built this much wider than asked, so it is rarely rebuilt


def _us(instant: dt.datetime) -> int:
    return (instant - EPOCH) // MICRO


class _Clock:
    """Cumulative working time over the local days ``first..last`` of ``calendar``."""

    def __init__(self, calendar: Calendar, first: dt.date, last: dt.date) -> None:
        self.first, self.last = first, last
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.before: list[int] = []  # working microseconds before each interval
        total = 0
        day = first
        while day <= last:
            for interval in calendar.intervals_on(day):
                start, end = _us(interval.start), _us(interval.end)
                if self.ends and start < self.ends[-1]:  # never expected: keep it exact
                    start = self.ends[-1]
                if end <= start:
                    continue
                self.starts.append(start)
                self.ends.append(end)
                self.before.append(total)
                total += end - start
            day += dt.timedelta(days=1)

    def covers(self, first: dt.date, last: dt.date) -> bool:
        return self.first < first and last < self.last

    def worked_before(self, instant_us: int) -> int:
        i = bisect.bisect_right(self.starts, instant_us) - 1
        if i < 0:
            return 0
        return self.before[i] + min(instant_us - self.starts[i], self.ends[i] - self.starts[i])


@dataclass
class ReportContext:
    session: Session
    timezone: str
    now: dt.datetime
    calendar: Calendar = field(default_factory=Calendar)
    _clock: _Clock | None = field(default=None, repr=False)
    # What several reports over one context share (a dashboard's searches, content gaps and
    # deflection read the same events): computed once, keyed by what it depends on.
    shared: dict[object, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, session: Session, *, timezone: str, now: dt.datetime) -> ReportContext:
        """The site's calendar (the default SLA calendar, with its holidays and overrides)."""
        calendar = load_context(session, timezone=timezone).default_calendar
        return cls(session=session, timezone=timezone, now=now, calendar=calendar)

    def _clock_for(self, a: dt.datetime, b: dt.datetime) -> _Clock:
        tz = self.calendar.tz
        first, last = a.astimezone(tz).date(), b.astimezone(tz).date()
        clock = self._clock
        if clock is None or not clock.covers(first, last):
            if clock is not None:
                first, last = min(first, clock.first), max(last, clock.last)
            margin = dt.timedelta(days=MARGIN_DAYS)
            clock = self._clock = _Clock(self.calendar, first - margin, last + margin)
        return clock

    def working_minutes(self, start: dt.datetime, end: dt.datetime, paused_us: int = 0) -> float:
        """Working minutes on the site's calendar from ``start`` to ``end``, less the working
        time the ticket's clock stood still (never below zero)."""
        if end < start:
            return 0.0
        clock = self._clock_for(start, end)
        worked = clock.worked_before(_us(end)) - clock.worked_before(_us(start))
        return max(worked - paused_us, 0) / MINUTE_US

    def local_date(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(self.calendar.tz).date()
