"""Business-hours calendars: working periods per weekday, date-range overrides (Ramadan hours),
holidays on Gregorian or Hijri (Umm al-Qura) dates, and exact working-time arithmetic.

Pure: no database, no Flask. Instants are timezone-aware datetimes; arithmetic runs in UTC on
the working periods of each local day, so a deadline is exact to the microsecond and every
answer can name the periods it counted (:func:`Calendar.explain_add`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hijridate import Gregorian, Hijri

DEFAULT_TIMEZONE = "Asia/Riyadh"
MINUTES_PER_DAY = 24 * 60
# The default support policy: every day, 10:00 to 16:00.
DEFAULT_PERIODS: tuple[tuple[int, int], ...] = ((10 * 60, 16 * 60),)
# How far ahead a deadline is looked for before the calendar is called empty.
SEARCH_DAYS = 5 * 366
MINUTE = dt.timedelta(minutes=1)

Periods = tuple[tuple[int, int], ...]


class CalendarError(ValueError):
    """A calendar that cannot be built or cannot answer (bad hours, no working time at all)."""


def parse_periods(text: str) -> Periods:
    """``"10:00-12:00, 13:00-16:00"`` → minutes of the day; ``""`` or ``"closed"`` → none."""
    text = text.strip()
    if not text or text.lower() in ("closed", "-", "مغلق"):
        return ()
    periods = []
    for part in text.split(","):
        start_text, sep, end_text = part.strip().partition("-")
        if not sep:
            raise CalendarError(f"Write a period as HH:MM-HH:MM, not {part.strip()!r}.")
        periods.append((_minute_of_day(start_text), _minute_of_day(end_text)))
    return normalise_periods(periods)


def _minute_of_day(text: str) -> int:
    hours, sep, minutes = text.strip().partition(":")
    try:
        value = int(hours) * 60 + (int(minutes) if sep else 0)
    except ValueError:
        raise CalendarError(f"{text.strip()!r} is not a time such as 10:00.") from None
    if not 0 <= value <= MINUTES_PER_DAY or (sep and not 0 <= int(minutes) < 60):
        raise CalendarError(f"{text.strip()!r} is not a time between 00:00 and 24:00.")
    return value


def normalise_periods(periods: Iterable[Sequence[int]]) -> Periods:
    """Sorted, each start before its end, none overlapping (touching periods are merged)."""
    ordered = sorted((int(p[0]), int(p[1])) for p in periods)
    merged: list[tuple[int, int]] = []
    for start, end in ordered:
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise CalendarError("Each period starts before it ends, within one day.")
        if merged and start < merged[-1][1]:
            raise CalendarError("Working periods of one day must not overlap.")
        if merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def format_periods(periods: Periods) -> str:
    if not periods:
        return "closed"
    return ", ".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in periods)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hijri_to_gregorian(year: int, month: int, day: int) -> dt.date:
    """An Umm al-Qura date → the Gregorian date (hijridate's tables, 1343–1500 AH)."""
    try:
        gregorian = Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError) as exc:
        raise CalendarError(
            f"{year}-{month:02d}-{day:02d} is not an Umm al-Qura date: {exc}"
        ) from None
    return dt.date(gregorian.year, gregorian.month, gregorian.day)


def gregorian_to_hijri(day: dt.date) -> tuple[int, int, int]:
    hijri = Gregorian(day.year, day.month, day.day).to_hijri()
    return hijri.year, hijri.month, hijri.day


def holiday_dates(first: dt.date, days: int = 1) -> tuple[dt.date, ...]:
    """``days`` consecutive Gregorian dates from ``first`` (a holiday of several days)."""
    if days < 1:
        raise CalendarError("A holiday lasts at least one day.")
    return tuple(first + dt.timedelta(days=offset) for offset in range(days))


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    name: str


@dataclass(frozen=True)
class Override:
    """Other working periods on every day from ``first`` to ``last`` (both included)."""

    first: dt.date
    last: dt.date
    periods: Periods
    name: str = ""


@dataclass(frozen=True)
class Interval:
    """A stretch of working time, [start, end), as aware UTC datetimes."""

    start: dt.datetime
    end: dt.datetime

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start


@dataclass(frozen=True)
class Explanation:
    """A deadline and the working periods counted to reach it."""

    start: dt.datetime
    due: dt.datetime
    working: dt.timedelta
    periods: tuple[Interval, ...]


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"{name!r} is not an IANA time zone such as Asia/Riyadh.") from None


@dataclass(frozen=True, eq=False)
class Calendar:
    """``week[0]`` is Monday's working periods … ``week[6]`` Sunday's (minutes of the day)."""

    timezone: str = DEFAULT_TIMEZONE
    week: tuple[Periods, ...] = (DEFAULT_PERIODS,) * 7
    overrides: tuple[Override, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    name: str = "default"
    _tz: ZoneInfo = field(init=False, repr=False)
    _holidays: Mapping[dt.date, str] = field(init=False, repr=False)
    _days: dict[dt.date, tuple[Interval, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise CalendarError("A week has seven days of working periods.")
        object.__setattr__(self, "week", tuple(normalise_periods(p) for p in self.week))
        for override in self.overrides:
            if override.last < override.first:
                raise CalendarError("An override ends on or after the day it starts.")
            normalise_periods(override.periods)
        object.__setattr__(self, "_tz", zone(self.timezone))
        object.__setattr__(self, "_holidays", {h.day: h.name for h in self.holidays})
        object.__setattr__(self, "_days", {})

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    # --- one day --------------------------------------------------------------------------

    def holiday(self, day: dt.date) -> str | None:
        return self._holidays.get(day)

    def periods_on(self, day: dt.date) -> Periods:
        """The local working periods of ``day``: none on a holiday, else the last override
        covering it, else the weekday's."""
        if day in self._holidays:
            return ()
        for override in reversed(self.overrides):
            if override.first <= day <= override.last:
                return normalise_periods(override.periods)
        return self.week[day.weekday()]

    def intervals_on(self, day: dt.date) -> tuple[Interval, ...]:
        """The working periods of the local ``day`` as UTC intervals (cached per day)."""
        cached = self._days.get(day)
        if cached is None:
            midnight = dt.datetime.combine(day, dt.time(), tzinfo=self._tz)
            cached = tuple(
                Interval(self._local(midnight, start), self._local(midnight, end))
                for start, end in self.periods_on(day)
            )
            if len(self._days) > 20_000:
                self._days.clear()
            self._days[day] = cached
        return cached

    def _local(self, midnight: dt.datetime, minute: int) -> dt.datetime:
        if minute == MINUTES_PER_DAY:
            nxt = dt.datetime.combine(midnight.date() + dt.timedelta(days=1), dt.time())
            return nxt.replace(tzinfo=self._tz).astimezone(dt.UTC)
        wall = midnight.replace(hour=minute // 60, minute=minute % 60)
        return wall.astimezone(dt.UTC)

    def _intervals_from(self, instant: dt.datetime) -> Iterator[Interval]:
        """Working intervals ending after ``instant``, in order, clipped to start at it."""
        day = instant.astimezone(self._tz).date() - dt.timedelta(days=1)
        for _ in range(SEARCH_DAYS):
            for interval in self.intervals_on(day):
                if interval.end <= instant:
                    continue
                if interval.start < instant:
                    yield Interval(instant, interval.end)
                else:
                    yield interval
            day += dt.timedelta(days=1)
        raise CalendarError(f"The calendar {self.name!r} has no working time ahead.")

    # --- arithmetic -----------------------------------------------------------------------

    def explain_add(self, instant: dt.datetime, working: dt.timedelta) -> Explanation:
        """The instant ``working`` working time after ``instant``, with the periods counted.
        Zero working time is ``instant`` itself; otherwise the deadline falls inside a working
        period (its end included)."""
        start = _aware(instant).astimezone(dt.UTC)
        if working < dt.timedelta(0):
            raise CalendarError("Working time to add is zero or more.")
        if not working:
            return Explanation(start, start, working, ())
        left = working
        counted: list[Interval] = []
        for interval in self._intervals_from(start):
            if interval.duration >= left:
                counted.append(Interval(interval.start, interval.start + left))
                return Explanation(start, interval.start + left, working, tuple(counted))
            counted.append(interval)
            left -= interval.duration
        raise AssertionError("unreachable")  # pragma: no cover

    def add(self, instant: dt.datetime, working: dt.timedelta) -> dt.datetime:
        return self.explain_add(instant, working).due

    def add_working_minutes(self, instant: dt.datetime, minutes: float) -> dt.datetime:
        return self.add(instant, dt.timedelta(minutes=minutes))

    def periods_between(self, a: dt.datetime, b: dt.datetime) -> tuple[Interval, ...]:
        """The working intervals inside [a, b) (empty when b is not after a)."""
        a, b = _aware(a).astimezone(dt.UTC), _aware(b).astimezone(dt.UTC)
        if b <= a:
            return ()
        found: list[Interval] = []
        day = a.astimezone(self._tz).date() - dt.timedelta(days=1)
        last = b.astimezone(self._tz).date() + dt.timedelta(days=1)
        while day <= last:
            for interval in self.intervals_on(day):
                start, end = max(interval.start, a), min(interval.end, b)
                if start < end:
                    found.append(Interval(start, end))
            day += dt.timedelta(days=1)
        return tuple(found)

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Working time in [a, b); negative when b comes before a."""
        if b < a:
            return -self.working_time_between(b, a)
        return sum((i.duration for i in self.periods_between(a, b)), dt.timedelta(0))

    def working_minutes_between(self, a: dt.datetime, b: dt.datetime) -> float:
        return self.working_time_between(a, b) / MINUTE

    def is_working(self, instant: dt.datetime) -> bool:
        instant = _aware(instant).astimezone(dt.UTC)
        day = instant.astimezone(self._tz).date()
        return any(i.start <= instant < i.end for i in self.intervals_on(day))

    def next_working(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` itself during working hours, else when work resumes."""
        start = _aware(instant).astimezone(dt.UTC)
        return next(iter(self._intervals_from(start))).start

    def deadline(
        self,
        start: dt.datetime,
        minutes: float,
        pauses: Iterable[tuple[dt.datetime, dt.datetime]] = (),
    ) -> Explanation:
        """``minutes`` working minutes from ``start``, extended by exactly the working time of
        each pause (the clock stands still while a ticket waits on its requester)."""
        paused = sum((self.working_time_between(a, b) for a, b in pauses if b > a), dt.timedelta(0))
        return self.explain_add(start, dt.timedelta(minutes=minutes) + paused)


def _aware(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise CalendarError("Give instants with a time zone (aware datetimes).")
    return instant
