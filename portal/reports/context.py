"""What every report computation is given: the session, the site's calendar and "now"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from portal.sla.calendar import MINUTE, Calendar
from portal.tickets.service_levels import load_context


@dataclass
class ReportContext:
    session: Session
    timezone: str
    now: dt.datetime
    calendar: Calendar = field(default_factory=Calendar)

    @classmethod
    def load(cls, session: Session, *, timezone: str, now: dt.datetime) -> ReportContext:
        """The site's calendar (the default SLA calendar, with its holidays and overrides)."""
        calendar = load_context(session, timezone=timezone).default_calendar
        return cls(session=session, timezone=timezone, now=now, calendar=calendar)

    def working_minutes(self, start: dt.datetime, end: dt.datetime, paused_us: int = 0) -> float:
        """Working minutes on the site's calendar from ``start`` to ``end``, less the working
        time the ticket's clock stood still (never below zero)."""
        worked = self.calendar.working_time_between(start, end)
        worked -= dt.timedelta(microseconds=paused_us)
        return max(worked, dt.timedelta(0)) / MINUTE

    def local_date(self, instant: dt.datetime) -> dt.date:
        return instant.astimezone(self.calendar.tz).date()
