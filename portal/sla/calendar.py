"""Business-hours calendars: working periods per weekday, date-range overrides (Ramadan hours),
holidays on Gregorian or Hijri (Umm al-Qura) dates, and exact working-time arithmetic.

Pure: no database, no Flask. Instants are timezone-aware datetimes; arithmetic runs in UTC on
the working periods of each local day, so a deadline is exact to the microsecond and every
answer can name the periods it counted (:func:`Calendar.explain_add`).

Two ways to the same answer: :meth:`Calendar.explain_add` walks the periods one by one and
names them (what a ticket page shows); :meth:`Calendar.add` and
:meth:`Calendar.working_time_between`, which run for every ticket, look the answer up in runs of
:data:`CHUNK_DAYS` local days held as integer microseconds with running sums, skipping a whole
run at a time and bisecting inside the last one. Both read the same per-day UTC intervals, and a
property test holds them equal.

On a night the clocks go back, a wall time that shows twice counts from its first showing; on a
night they go forward, a wall time that never shows counts from the jump. So a day's periods
always map to UTC in order, and never to an empty or backwards stretch.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hijridate import Gregorian, Hijri

DEFAULT_TIMEZONE = "Asia/Riyadh"
MINUTES_PER_DAY = 24 * 60
# The default support policy: every day, 10:00 to 16:00.
DEFAULT_PERIODS: tuple[tuple[int, int], ...] = ((10 * 60, 16 * 60),)
# How far ahead a deadline is looked for before the calendar is called empty.
SEARCH_DAYS = 5 * 366
MINUTE = dt.timedelta(minutes=1)
US = dt.timedelta(microseconds=1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# The fast path's unit: local days per run, and how many runs one calendar keeps (~22 years).
CHUNK_DAYS = 32
MAX_CHUNKS = 256
DAY_CACHE = 20_000

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


class _Chunk(NamedTuple):
    """The working intervals of :data:`CHUNK_DAYS` local days, in microseconds since the epoch:
    ``before[j]``/``upto[j]`` are the working time of the run before interval ``j`` starts and
    when it ends; ``end`` is the local midnight after the last day."""

    starts: list[int]
    ends: list[int]
    before: list[int]
    upto: list[int]
    total: int
    end: int


# Where an instant falls: the run's index, the run, working time before it there, local day.
_Found = tuple[int, _Chunk, int, int]


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
    _chunks: dict[int, _Chunk] = field(init=False, repr=False)

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
        object.__setattr__(self, "_chunks", {})

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
        """The working periods of the local ``day`` as UTC intervals (cached per day); a period
        that the clocks skip entirely is left out."""
        cached = self._days.get(day)
        if cached is None:
            found = []
            for start, end in self.periods_on(day):
                first, last = self._utc(day, start), self._utc(day, end)
                if first < last:
                    found.append(Interval(first, last))
            cached = tuple(found)
            if len(self._days) > DAY_CACHE:
                self._days.clear()
            self._days[day] = cached
        return cached

    def _utc(self, day: dt.date, minute: int) -> dt.datetime:
        """The instant the wall clock shows ``minute`` of ``day`` (24:00 is the next midnight):
        its first showing when the clocks go back, the jump when they skip it."""
        if minute == MINUTES_PER_DAY:
            day, minute = day + dt.timedelta(days=1), 0
        wall = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=self._tz)
        instant = wall.astimezone(dt.UTC)
        if instant.astimezone(self._tz).replace(tzinfo=None) == wall.replace(tzinfo=None):
            return instant
        return _jump(self._tz, wall.replace(fold=1).astimezone(dt.UTC), instant)

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
        """What :meth:`explain_add` gives as ``due``, without naming the periods: from the
        working time before ``instant`` in its run of days, skip whole runs while what is left
        exceeds them, then bisect the running sums of the last run."""
        if working < dt.timedelta(0):
            raise CalendarError("Working time to add is zero or more.")
        return self._add(self._locate(instant), working, instant)

    def add_all(
        self, instant: dt.datetime, workings: Iterable[dt.timedelta]
    ) -> tuple[dt.datetime, ...]:
        """:meth:`add` of each working time to the one ``instant`` (a deadline and its warning
        instant), finding ``instant`` among the working periods once."""
        found = self._locate(instant)
        due = []
        for working in workings:
            if working < dt.timedelta(0):
                raise CalendarError("Working time to add is zero or more.")
            due.append(self._add(found, working, instant))
        return tuple(due)

    def _add(self, found: _Found, working: dt.timedelta, instant: dt.datetime) -> dt.datetime:
        if not working:
            return instant.astimezone(dt.UTC)
        index, chunk, done, day = found
        # The walk looks SEARCH_DAYS local days ahead from the day before: the same limit.
        limit = day - 1 + SEARCH_DAYS
        goal = done + working // US
        while goal > chunk.total:
            goal -= chunk.total
            index += 1
            if index * CHUNK_DAYS > limit:
                raise CalendarError(f"The calendar {self.name!r} has no working time ahead.")
            chunk = self._chunk(index)
        j = bisect_left(chunk.upto, goal)
        start = chunk.starts[j]
        if (index + 1) * CHUNK_DAYS > limit:
            end = self._utc(dt.date.fromordinal(limit), 0)
            if start >= (end - EPOCH) // US:
                raise CalendarError(f"The calendar {self.name!r} has no working time ahead.")
        return EPOCH + (start + goal - chunk.before[j]) * US

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
        """Working time in [a, b) (what :meth:`periods_between` adds up to); negative when b
        comes before a."""
        if _aware(b) < _aware(a):
            return -self.working_time_between(b, a)
        first, chunk, before_a, _ = self._locate(a)
        last, _, before_b, _ = self._locate(b)
        worked = before_b - before_a
        for index in range(first, last):
            worked += chunk.total
            chunk = self._chunk(index + 1)
        return worked * US

    def working_minutes_between(self, a: dt.datetime, b: dt.datetime) -> float:
        return self.working_time_between(a, b) / MINUTE

    def is_working(self, instant: dt.datetime) -> bool:
        _, chunk, _, _ = self._locate(instant)
        t = (instant - EPOCH) // US
        j = bisect_right(chunk.ends, t)
        return j < len(chunk.ends) and chunk.starts[j] <= t

    def next_working(self, instant: dt.datetime) -> dt.datetime:
        """``instant`` itself during working hours, else when work resumes."""
        start = _aware(instant).astimezone(dt.UTC)
        return next(iter(self._intervals_from(start))).start

    # --- the fast path: runs of days as integer microseconds ------------------------------

    def _chunk(self, index: int) -> _Chunk:
        """The local days ``index * CHUNK_DAYS`` … (as ordinals) and their working intervals,
        kept in a bounded cache."""
        chunk = self._chunks.get(index)
        if chunk is None:
            starts: list[int] = []
            ends: list[int] = []
            before: list[int] = []
            upto: list[int] = []
            total = 0
            first = dt.date.fromordinal(index * CHUNK_DAYS)
            for offset in range(CHUNK_DAYS):
                for interval in self.intervals_on(first + dt.timedelta(days=offset)):
                    start = (interval.start - EPOCH) // US
                    end = (interval.end - EPOCH) // US
                    starts.append(start)
                    ends.append(end)
                    before.append(total)
                    total += end - start
                    upto.append(total)
            after = self._utc(first + dt.timedelta(days=CHUNK_DAYS - 1), MINUTES_PER_DAY)
            chunk = _Chunk(starts, ends, before, upto, total, (after - EPOCH) // US)
            if len(self._chunks) >= MAX_CHUNKS:
                self._chunks.clear()
            self._chunks[index] = chunk
        return chunk

    def _locate(self, instant: dt.datetime) -> _Found:
        """The run of days holding ``instant``, the working time of that run before it, and
        its local day (as an ordinal)."""
        instant = _aware(instant)
        day = instant.astimezone(self._tz).toordinal()
        index = day // CHUNK_DAYS
        chunk = self._chunk(index)
        t = (instant - EPOCH) // US
        if t >= chunk.end:  # the second showing of a wall time the clocks went back over
            index += 1
            chunk = self._chunk(index)
        j = bisect_right(chunk.ends, t)
        if j == len(chunk.ends):
            return index, chunk, chunk.total, day
        return index, chunk, chunk.before[j] + max(0, t - chunk.starts[j]), day

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


def _jump(tz: ZoneInfo, before: dt.datetime, after: dt.datetime) -> dt.datetime:
    """The instant in (before, after] when the clocks went forward: the first second on
    ``after``'s UTC offset (zone transitions fall on whole seconds)."""
    offset = after.astimezone(tz).utcoffset()
    second = dt.timedelta(seconds=1)
    low, high = (before - EPOCH) // second, (after - EPOCH) // second
    while high - low > 1:
        middle = (low + high) // 2
        if (EPOCH + middle * second).astimezone(tz).utcoffset() == offset:
            high = middle
        else:
            low = middle
    return EPOCH + high * second


def _aware(instant: dt.datetime) -> dt.datetime:
    if instant.tzinfo is None:
        raise CalendarError("Give instants with a time zone (aware datetimes).")
    return instant
