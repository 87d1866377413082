"""Service-level tables: calendars with their holidays and overrides, policies, the warnings
and breaches recorded on tickets, and the root-cause codes admins keep."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UtcDateTime, intpk, utcnow


def _default_week() -> list[list[list[int]]]:
    return [[[600, 960]] for _ in range(7)]


class SlaCalendar(Base):
    """Working periods per weekday as minutes of the day: ``week[0]`` is Monday."""

    __tablename__ = "sla_calendars"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: SANAD_TIMEZONE
    week: Mapped[list[list[list[int]]]] = mapped_column(JSON, default=_default_week)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class SlaHoliday(Base):
    __tablename__ = "sla_holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[intpk]
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("sla_calendars.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[dt.date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))
    # The Umm al-Qura date it was entered as (YYYY-MM-DD), when entered on the Hijri calendar.
    hijri: Mapped[str | None] = mapped_column(String(10))


class SlaOverride(Base):
    """Other working periods from ``first_day`` to ``last_day`` (Ramadan hours)."""

    __tablename__ = "sla_overrides"

    id: Mapped[intpk]
    calendar_id: Mapped[int] = mapped_column(
        ForeignKey("sla_calendars.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    periods: Mapped[list[list[int]]] = mapped_column(JSON)


class SlaPolicy(Base):
    """Targets in working minutes; priority/category/team/channel narrow it (None: any)."""

    __tablename__ = "sla_policies"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(10))
    first_response_minutes: Mapped[int | None] = mapped_column(Integer)
    next_response_minutes: Mapped[int | None] = mapped_column(Integer)
    resolution_minutes: Mapped[int | None] = mapped_column(Integer)
    calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_calendars.id", ondelete="SET NULL")
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SlaEvent(Base):
    """A warning or a breach of one target of one ticket. Unique per deadline: the job may run
    any number of times and records (and mails) each once."""

    __tablename__ = "sla_events"
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", "kind", "due_at"),
        Index("ix_sla_events_ticket_kind", "ticket_id", "kind"),
    )

    id: Mapped[intpk]
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(20))  # first_response | next_response | resolution
    kind: Mapped[str] = mapped_column(String(10))  # warning | breach
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    target_minutes: Mapped[int] = mapped_column(Integer)
    policy: Mapped[str] = mapped_column(String(100))
    tier_before: Mapped[int | None] = mapped_column(Integer)
    tier_after: Mapped[int | None] = mapped_column(Integer)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class RootCauseCode(Base):
    __tablename__ = "root_cause_codes"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label_en: Mapped[str] = mapped_column(String(200))
    label_ar: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
