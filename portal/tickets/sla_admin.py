"""Keeping the service levels: calendars (weekly hours, time zone), holidays (Gregorian or
Umm al-Qura dates), date-range overrides, policies and root-cause codes. Admins do this in
the browser; the operator at the command line (``OPERATOR``) with ``sanad calendar``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.sla.calendar import (
    CalendarError,
    Periods,
    format_periods,
    gregorian_to_hijri,
    hijri_to_gregorian,
    holiday_dates,
    normalise_periods,
    parse_periods,
    zone,
)
from portal.tickets.errors import TicketForbidden, ValidationError
from portal.tickets.models import Ticket
from portal.tickets.service_levels import apply_deadlines, load_context
from portal.tickets.sla_models import (
    RootCauseCode,
    SlaCalendar,
    SlaHoliday,
    SlaOverride,
    SlaPolicy,
)
from portal.tickets.states import ACTIVE_STATUSES, CHANNELS, PRIORITIES

OPERATOR: Final = "operator"
Actor = UserInfo | Literal["operator"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_HOLIDAY_DAYS = 60
MAX_TARGET_MINUTES = 366 * 24 * 60


def recompute_open_deadlines(session: Session) -> int:
    """After an admin changed a calendar, a holiday, an override or a policy: every ticket
    still open gets its deadlines again from what is stored now (targets already met keep
    the deadline they were met against; a pause already counted stays counted), so the
    queue, the warnings and the breaches follow the change. Returns how many were read."""
    ctx = load_context(session)
    count = 0
    stmt = (
        select(Ticket).where(Ticket.status.in_(ACTIVE_STATUSES)).execution_options(yield_per=2000)
    )
    for ticket in session.scalars(stmt):
        apply_deadlines(ticket, ctx)
        count += 1
    session.flush()
    return count


def _require_admin(actor: Actor) -> None:
    if actor == OPERATOR:
        return
    if not isinstance(actor, UserInfo) or not actor.is_admin:
        raise TicketForbidden("Only administrators keep the service levels.")


@dataclass(frozen=True)
class HolidayInfo:
    id: int
    day: dt.date
    name: str
    hijri: str | None


@dataclass(frozen=True)
class OverrideInfo:
    id: int
    name: str
    first_day: dt.date
    last_day: dt.date
    periods: str


@dataclass(frozen=True)
class CalendarInfo:
    id: int
    name: str
    timezone: str
    is_default: bool
    week: tuple[tuple[str, str], ...]  # (weekday, "10:00-16:00")
    holidays: tuple[HolidayInfo, ...]
    overrides: tuple[OverrideInfo, ...]


@dataclass(frozen=True)
class PolicyInfo:
    id: int
    name: str
    priority: str | None
    category: str | None
    team: str | None
    channel: str | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    active: bool


def _default_calendar(session: Session) -> SlaCalendar:
    row = session.scalar(
        select(SlaCalendar).order_by(SlaCalendar.is_default.desc(), SlaCalendar.id)
    )
    if row is None:
        row = SlaCalendar(name="default", week=[[[600, 960]] for _ in range(7)], is_default=True)
        session.add(row)
        session.flush()
    return row


def _calendar(session: Session, calendar_id: int | None) -> SlaCalendar:
    if calendar_id is None:
        return _default_calendar(session)
    row = session.get(SlaCalendar, calendar_id)
    if row is None:
        raise ValidationError("calendar", f"There is no calendar #{calendar_id}.", "unknown")
    return row


def list_calendars(session: Session, actor: Actor, *, timezone: str) -> list[CalendarInfo]:
    _require_admin(actor)
    _default_calendar(session)
    shown = []
    for row in session.scalars(select(SlaCalendar).order_by(SlaCalendar.id)):
        holidays = session.scalars(
            select(SlaHoliday).where(SlaHoliday.calendar_id == row.id).order_by(SlaHoliday.day)
        )
        overrides = session.scalars(
            select(SlaOverride)
            .where(SlaOverride.calendar_id == row.id)
            .order_by(SlaOverride.first_day)
        )
        shown.append(
            CalendarInfo(
                id=row.id,
                name=row.name,
                timezone=row.timezone or timezone,
                is_default=row.is_default,
                week=tuple(
                    (WEEKDAYS[i], format_periods(tuple((a, b) for a, b in day)))
                    for i, day in enumerate(row.week)
                ),
                holidays=tuple(HolidayInfo(h.id, h.day, h.name, h.hijri) for h in holidays),
                overrides=tuple(
                    OverrideInfo(
                        o.id,
                        o.name,
                        o.first_day,
                        o.last_day,
                        format_periods(tuple((a, b) for a, b in o.periods)),
                    )
                    for o in overrides
                ),
            )
        )
    return shown


def _periods(field: str, text: str) -> Periods:
    try:
        return parse_periods(text)
    except CalendarError as error:
        raise ValidationError(field, str(error), "periods") from None


def set_week(
    session: Session,
    actor: Actor,
    *,
    calendar_id: int | None,
    days: dict[str, str],
    timezone: str | None = None,
) -> None:
    """Working periods per weekday (``"10:00-12:00, 13:00-16:00"``, or "closed")."""
    _require_admin(actor)
    row = _calendar(session, calendar_id)
    week = [list(map(list, _periods(day, days.get(day, "")))) for day in WEEKDAYS]
    if timezone:
        try:
            zone(timezone.strip())
        except CalendarError as error:
            raise ValidationError("timezone", str(error), "timezone") from None
        row.timezone = timezone.strip()
    row.week = week
    session.flush()
    recompute_open_deadlines(session)


def _day(field: str, text: str) -> tuple[int, int, int]:
    try:
        year, month, day = (int(part) for part in text.strip().split("-"))
    except ValueError:
        raise ValidationError(field, "Write the date as YYYY-MM-DD.", "date") from None
    return year, month, day


def _hijri_name(day: dt.date) -> str:
    """``day`` as an Umm al-Qura date, YYYY-MM-DD (OverflowError beyond the tables)."""
    y, m, d = gregorian_to_hijri(day)
    return f"{y:04d}-{m:02d}-{d:02d}"


def add_holiday(
    session: Session,
    actor: Actor,
    *,
    date: str,
    name: str,
    hijri: bool = False,
    days: int = 1,
    calendar_id: int | None = None,
) -> list[dt.date]:
    """A holiday of ``days`` days from ``date`` (Gregorian, or Umm al-Qura with ``hijri``);
    returns the Gregorian days added. A day already a holiday takes the new name."""
    _require_admin(actor)
    label = " ".join(name.split())
    if not label or len(label) > 200:
        raise ValidationError("name", "Name the holiday (at most 200 characters).", "required")
    if not 1 <= days <= MAX_HOLIDAY_DAYS:
        raise ValidationError("days", f"A holiday lasts 1 to {MAX_HOLIDAY_DAYS} days.", "range")
    year, month, day = _day("date", date)
    try:
        first = hijri_to_gregorian(year, month, day) if hijri else dt.date(year, month, day)
        added = list(holiday_dates(first, days))
        # Umm al-Qura names only for a Hijri holiday: the tables end in 2077, and a Gregorian
        # holiday after that (or a Hijri one running past it) failed here with a 500.
        named = [_hijri_name(gregorian) if hijri else None for gregorian in added]
    except (CalendarError, ValueError, OverflowError) as error:
        raise ValidationError("date", str(error), "date") from None
    row = _calendar(session, calendar_id)
    for gregorian, hijri_text in zip(added, named, strict=True):
        existing = session.scalar(
            select(SlaHoliday).where(SlaHoliday.calendar_id == row.id, SlaHoliday.day == gregorian)
        )
        if existing is not None:
            existing.name, existing.hijri = label, hijri_text
        else:
            session.add(SlaHoliday(calendar_id=row.id, day=gregorian, name=label, hijri=hijri_text))
    session.flush()
    recompute_open_deadlines(session)
    return added


def delete_holiday(session: Session, actor: Actor, holiday_id: int) -> None:
    _require_admin(actor)
    row = session.get(SlaHoliday, holiday_id)
    if row is not None:
        session.delete(row)
        session.flush()
        recompute_open_deadlines(session)


def add_override(
    session: Session,
    actor: Actor,
    *,
    name: str,
    first_day: str,
    last_day: str,
    periods: str,
    hijri: bool = False,
    calendar_id: int | None = None,
) -> None:
    """Other hours (or "closed") on every day from ``first_day`` to ``last_day``."""
    _require_admin(actor)
    label = " ".join(name.split())
    if not label or len(label) > 200:
        raise ValidationError("name", "Name the override (at most 200 characters).", "required")
    days = []
    for field, text in (("first_day", first_day), ("last_day", last_day)):
        y, m, d = _day(field, text)
        try:
            days.append(hijri_to_gregorian(y, m, d) if hijri else dt.date(y, m, d))
        except (CalendarError, ValueError, OverflowError) as error:
            raise ValidationError(field, str(error), "date") from None
    if days[1] < days[0]:
        raise ValidationError("last_day", "The last day is on or after the first.", "range")
    chosen = normalise_periods(_periods("periods", periods))
    row = _calendar(session, calendar_id)
    session.add(
        SlaOverride(
            calendar_id=row.id,
            name=label,
            first_day=days[0],
            last_day=days[1],
            periods=[list(p) for p in chosen],
        )
    )
    session.flush()
    recompute_open_deadlines(session)


def delete_override(session: Session, actor: Actor, override_id: int) -> None:
    _require_admin(actor)
    row = session.get(SlaOverride, override_id)
    if row is not None:
        session.delete(row)
        session.flush()
        recompute_open_deadlines(session)


# --- policies and root-cause codes ---------------------------------------------------------


def list_policies(session: Session, actor: Actor) -> list[PolicyInfo]:
    _require_admin(actor)
    return [
        PolicyInfo(
            p.id,
            p.name,
            p.priority,
            p.category,
            p.team,
            p.channel,
            p.first_response_minutes,
            p.next_response_minutes,
            p.resolution_minutes,
            p.active,
        )
        for p in session.scalars(select(SlaPolicy).order_by(SlaPolicy.id))
    ]


def _minutes(field: str, value: int | None) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= MAX_TARGET_MINUTES:
        raise ValidationError(
            field, "A target is 1 working minute or more (up to a year).", "range"
        )
    return value


def save_policy(
    session: Session,
    actor: Actor,
    *,
    policy_id: int | None,
    name: str,
    priority: str | None = None,
    category: str | None = None,
    team: str | None = None,
    channel: str | None = None,
    first_response_minutes: int | None = None,
    next_response_minutes: int | None = None,
    resolution_minutes: int | None = None,
    active: bool = True,
) -> int:
    _require_admin(actor)
    label = " ".join(name.split())
    if not label or len(label) > 100:
        raise ValidationError("name", "Name the policy (at most 100 characters).", "required")
    if priority and priority not in PRIORITIES:
        raise ValidationError("priority", f"Choose one of: {', '.join(PRIORITIES)}.", "choice")
    if channel and channel not in CHANNELS:
        raise ValidationError("channel", f"Choose one of: {', '.join(CHANNELS)}.", "choice")
    clash = session.scalar(select(SlaPolicy.id).where(SlaPolicy.name == label))
    if clash is not None and clash != policy_id:
        raise ValidationError("name", "Another policy has this name.", "taken")
    row = session.get(SlaPolicy, policy_id) if policy_id else None
    if row is None:
        row = SlaPolicy(name=label)
        session.add(row)
    row.name = label
    row.priority = priority or None
    row.category = (category or "").strip().lower() or None
    row.team = (team or "").strip().lower() or None
    row.channel = channel or None
    row.first_response_minutes = _minutes("first_response_minutes", first_response_minutes)
    row.next_response_minutes = _minutes("next_response_minutes", next_response_minutes)
    row.resolution_minutes = _minutes("resolution_minutes", resolution_minutes)
    row.active = active
    session.flush()
    recompute_open_deadlines(session)
    return row.id


def save_root_cause_code(
    session: Session, actor: Actor, *, code: str, label_en: str, label_ar: str, active: bool = True
) -> None:
    _require_admin(actor)
    key = code.strip().lower()
    if not key or len(key) > 40 or not all(c.isalnum() or c in "_-" for c in key):
        raise ValidationError("code", "A code is 1–40 letters, digits, _ or -.", "code")
    en, ar = " ".join(label_en.split()), " ".join(label_ar.split())
    if not en or not ar or len(en) > 200 or len(ar) > 200:
        raise ValidationError("label", "Give the label in English and Arabic.", "required")
    row = session.scalar(select(RootCauseCode).where(RootCauseCode.code == key))
    if row is None:
        row = RootCauseCode(code=key)
        session.add(row)
    row.label_en, row.label_ar, row.active = en, ar, active
    session.flush()
