"""The reports' working-time index gives exactly what the calendar's own arithmetic gives."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy.orm import Session

from portal.reports.context import ReportContext
from portal.sla.calendar import MINUTE, Calendar, Holiday, Override

CALENDAR = Calendar(
    timezone="Asia/Riyadh",
    week=(((600, 960),),) * 4 + ((), ()) + (((480, 720), (780, 1020)),),  # Fri, Sat off
    overrides=(Override(dt.date(2026, 3, 1), dt.date(2026, 3, 29), ((600, 840),), "Ramadan"),),
    holidays=(Holiday(dt.date(2026, 3, 30), "Eid"), Holiday(dt.date(2026, 3, 31), "Eid")),
)


def test_working_minutes_match_the_calendar_to_the_microsecond() -> None:
    ctx = ReportContext(session=Session(), timezone="Asia/Riyadh", now=dt.datetime.now(dt.UTC),
                        calendar=CALENDAR)  # fmt: skip
    rng = random.Random(3)  # noqa: S311  (repeatable instants, not secrets)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for _ in range(2000):
        a = base + dt.timedelta(microseconds=rng.randrange(200 * 24 * 3600 * 10**6))
        b = a + dt.timedelta(microseconds=rng.randrange(20 * 24 * 3600 * 10**6))
        paused = rng.choice((0, 0, rng.randrange(10**10)))
        expected = max(CALENDAR.working_time_between(a, b) - dt.timedelta(microseconds=paused),
                       dt.timedelta(0)) / MINUTE  # fmt: skip
        assert ctx.working_minutes(a, b, paused) == expected
    assert ctx.working_minutes(base + dt.timedelta(days=1), base) == 0
    # Far outside the first index: it is rebuilt wider, still exact.
    late = dt.datetime(2027, 6, 1, 5, tzinfo=dt.UTC)
    assert ctx.working_minutes(base, late) == CALENDAR.working_time_between(base, late) / MINUTE
