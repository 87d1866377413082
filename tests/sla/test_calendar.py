"""Business-hours arithmetic: properties that must hold for any instant, and the table of
cases the support policy names (nights, weekends, Hijri holidays, Ramadan, 15:59/16:01)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.sla.calendar import (
    Calendar,
    CalendarError,
    Holiday,
    Override,
    hijri_to_gregorian,
    holiday_dates,
    parse_periods,
)

RIYADH = Calendar().tz
MIN = dt.timedelta(minutes=1)


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=RIYADH)


def local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(RIYADH)


# A working week like many offices: Sunday–Thursday, split day; Friday and Saturday off.
OFFICE = Calendar(
    week=(
        ((9 * 60, 12 * 60), (13 * 60, 17 * 60)),  # Monday
        ((9 * 60, 12 * 60), (13 * 60, 17 * 60)),
        ((9 * 60, 12 * 60), (13 * 60, 17 * 60)),
        ((9 * 60, 12 * 60), (13 * 60, 17 * 60)),  # Thursday
        (),  # Friday
        (),  # Saturday
        ((9 * 60, 12 * 60), (13 * 60, 17 * 60)),  # Sunday
    ),
    holidays=tuple(
        Holiday(day, "Eid al-Fitr") for day in holiday_dates(hijri_to_gregorian(1447, 10, 1), 4)
    ),
    overrides=(
        Override(
            hijri_to_gregorian(1447, 9, 1),
            hijri_to_gregorian(1447, 10, 1) - dt.timedelta(days=1),  # 29 or 30 Ramadan
            ((10 * 60, 15 * 60),),
            "Ramadan",
        ),
    ),
)
CALENDARS = [Calendar(), OFFICE]

instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2028, 1, 1), timezones=st.just(dt.UTC)
)
minutes = st.integers(min_value=0, max_value=60 * 200)


def inside_working_period(calendar: Calendar, instant: dt.datetime) -> bool:
    """In a period, its end included (a deadline may fall at the closing minute)."""
    for offset in (-1, 0, 1):
        day = local(instant).date() + dt.timedelta(days=offset)
        if any(i.start < instant <= i.end for i in calendar.intervals_on(day)):
            return True
    return False


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALENDARS), instants, st.integers(min_value=1, max_value=60 * 200))
def test_every_deadline_falls_inside_a_working_period(calendar, start, n):
    assert inside_working_period(calendar, calendar.add_working_minutes(start, n))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALENDARS), instants, minutes, minutes)
def test_adding_is_monotonic_and_additive(calendar, start, a, b):
    first = calendar.add_working_minutes(start, a)
    both = calendar.add_working_minutes(start, a + b)
    assert start <= first <= both
    assert calendar.add_working_minutes(first, b) == both


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALENDARS), instants, instants)
def test_later_start_never_gives_an_earlier_deadline(calendar, one, other):
    early, late = sorted((one, other))
    assert calendar.add_working_minutes(early, 90) <= calendar.add_working_minutes(late, 90)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CALENDARS), instants, minutes)
def test_working_time_between_start_and_deadline_is_what_was_added(calendar, start, n):
    due = calendar.add_working_minutes(start, n)
    assert calendar.working_minutes_between(start, due) == n
    explained = calendar.explain_add(start, n * MIN)
    assert sum((p.duration for p in explained.periods), dt.timedelta(0)) == n * MIN


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(CALENDARS),
    instants,
    st.integers(min_value=1, max_value=60 * 100),
    st.lists(st.tuples(instants, st.integers(0, 60 * 24 * 10)), max_size=3),
)
def test_pauses_extend_the_deadline_by_exactly_the_working_time_paused(calendar, start, n, raw):
    pauses = [(a, a + dt.timedelta(minutes=length)) for a, length in raw]
    paused = sum((calendar.working_time_between(a, b) for a, b in pauses), dt.timedelta(0))
    plain = calendar.add_working_minutes(start, n)
    extended = calendar.deadline(start, n, pauses).due
    assert calendar.working_time_between(plain, extended) == paused
    assert calendar.working_time_between(start, extended) == n * MIN + paused


# --- the table -----------------------------------------------------------------------------

DEFAULT = Calendar()


@pytest.mark.parametrize(
    ("calendar", "start", "working_minutes", "due"),
    [
        # Overnight: 2 hours at 15:00 is 1 today and 1 tomorrow from 10:00.
        (DEFAULT, at(2026, 12, 2, 15), 120, at(2026, 12, 3, 11)),
        # Opened at night: the clock starts at 10:00.
        (DEFAULT, at(2026, 12, 2, 23, 30), 30, at(2026, 12, 3, 10, 30)),
        # 15:59: one minute today, the rest tomorrow.
        (DEFAULT, at(2026, 12, 2, 15, 59), 60, at(2026, 12, 3, 10, 59)),
        # 16:01: after closing, all of it tomorrow.
        (DEFAULT, at(2026, 12, 2, 16, 1), 60, at(2026, 12, 3, 11)),
        # Exactly at closing time the deadline is the closing minute, not the next morning.
        (DEFAULT, at(2026, 12, 2, 15), 60, at(2026, 12, 2, 16)),
        # 48 working hours from 2 Dec 14:10 on the every-day calendar: 8 days of 6 h.
        (DEFAULT, at(2026, 12, 2, 14, 10), 48 * 60, at(2026, 12, 10, 14, 10)),
        # Weekend: Thursday 16:30 + 1 h on the office week is half an hour on Thursday and
        # half an hour on Sunday; after closing, all of it on Sunday.
        (OFFICE, at(2026, 12, 3, 16, 30), 60, at(2026, 12, 6, 9, 30)),
        (OFFICE, at(2026, 12, 3, 17, 30), 60, at(2026, 12, 6, 10)),
        # Lunch break: 11:30 + 1 h is 13:30.
        (OFFICE, at(2026, 12, 6, 11, 30), 60, at(2026, 12, 6, 13, 30)),
        # Ramadan 1447 (from 18 Feb 2026): 10:00–15:00; 14:00 + 2 h is 11:00 next day.
        (OFFICE, at(2026, 2, 18, 14), 120, at(2026, 2, 19, 11)),
        # Eid al-Fitr 1447: 1 Shawwal is 20 Mar 2026, four days off (20–23 Mar). A ticket on
        # the last Ramadan afternoon (30 Ramadan, Ramadan hours) gets half an hour that day and
        # the rest on Tuesday 24 Mar, after the holiday and the weekend inside it.
        (OFFICE, at(2026, 3, 19, 14, 30), 60, at(2026, 3, 24, 9, 30)),
    ],
)
def test_table(calendar, start, working_minutes, due):
    assert calendar.add_working_minutes(start, working_minutes) == due


def test_hijri_holiday_crossing_a_gregorian_month():
    # Eid al-Adha 1447 (10 Dhu al-Hijjah) and the three days after it.
    days = holiday_dates(hijri_to_gregorian(1447, 12, 10), 4)
    assert [d.isoformat() for d in days] == ["2026-05-27", "2026-05-28", "2026-05-29", "2026-05-30"]
    # A holiday that runs from one Gregorian month into the next: 30 Nov – 2 Dec 2026.
    start = hijri_to_gregorian(1448, 6, 20)
    assert start == dt.date(2026, 11, 30)
    calendar = Calendar(holidays=tuple(Holiday(d, "x") for d in holiday_dates(start, 3)))
    assert calendar.add_working_minutes(at(2026, 11, 29, 15), 120) == at(2026, 12, 3, 11)
    assert calendar.working_minutes_between(at(2026, 11, 29), at(2026, 12, 4)) == 2 * 360


def test_deadline_that_would_fall_on_a_holiday_moves_past_it():
    holiday = Calendar(holidays=(Holiday(dt.date(2026, 12, 3), "National"),))
    assert holiday.add_working_minutes(at(2026, 12, 2, 15), 120) == at(2026, 12, 4, 11)
    assert holiday.working_minutes_between(at(2026, 12, 3), at(2026, 12, 4)) == 0


def test_explanation_names_the_periods_counted():
    explained = DEFAULT.explain_add(at(2026, 12, 2, 14, 10), 48 * 60 * MIN)
    shown = [
        (local(p.start).strftime("%d %H:%M"), local(p.end).strftime("%H:%M"))
        for p in explained.periods
    ]
    assert shown[:2] == [("02 14:10", "16:00"), ("03 10:00", "16:00")]
    assert shown[-1] == ("10 10:00", "14:10")
    assert len(shown) == 9


def test_next_working_says_when_work_resumes():
    assert DEFAULT.next_working(at(2026, 12, 2, 16, 1)) == at(2026, 12, 3, 10)
    assert DEFAULT.next_working(at(2026, 12, 2, 12)) == at(2026, 12, 2, 12)
    assert not DEFAULT.is_working(at(2026, 12, 2, 16))
    assert DEFAULT.is_working(at(2026, 12, 2, 10))


def test_other_time_zone_counts_local_hours():
    utc = Calendar(timezone="UTC")
    assert utc.add_working_minutes(dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), 60) == dt.datetime(
        2026, 12, 2, 11, tzinfo=dt.UTC
    )


@pytest.mark.parametrize(
    "text", ["10:00", "16:00-10:00", "10:00-12:00, 11:00-13:00", "25:00-26:00", "aa-bb"]
)
def test_bad_periods_are_refused_with_a_reason(text):
    with pytest.raises(CalendarError):
        parse_periods(text)


def test_periods_parse_and_closed_days():
    assert parse_periods("10:00-12:00, 13:00-16:00") == ((600, 720), (780, 960))
    assert parse_periods("closed") == ()


def test_a_calendar_without_working_time_says_so():
    empty = Calendar(week=((),) * 7)
    with pytest.raises(CalendarError):
        empty.add_working_minutes(at(2026, 12, 2), 1)
    with pytest.raises(CalendarError):
        Calendar(timezone="Mars/Olympus")
    with pytest.raises(CalendarError):
        hijri_to_gregorian(1447, 13, 1)
