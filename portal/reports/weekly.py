"""The weekly summary mail to managers (admins and knowledge managers), through the outbox.

``queue_weekly_summaries`` is the job's service: for the last full week (Monday to Sunday on
the site's calendar) before ``now`` it queues one mail per active manager, in their language,
text and HTML, with the week's key figures. It is idempotent per week: each mail's Message-ID
names the week and the manager, and a mail already in the outbox (queued, sent or failed) is
not queued again, so the job may run every hour, or twice, and each manager gets one mail.
A manager who turned the ``weekly_summary`` mail off (profile page) gets none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.mail_preferences import wants_mail
from portal.accounts.models import User, UserInfo, UserRole
from portal.notify.mail import OutgoingMail
from portal.notify.messages import compose
from portal.notify.outbox import OutboxMessage, enqueue
from portal.reports.access import MANAGER_ROLES
from portal.reports.data import Report
from portal.reports.filters import ReportFilter
from portal.reports.registry import run_reports

WEEKLY_REPORTS = ("volume", "service-levels", "resolution", "csat", "searches", "deflection")


@dataclass(frozen=True)
class WeeklyOutcome:
    week: str
    queued: int
    already: int


def last_full_week(now: dt.datetime, timezone: str) -> tuple[dt.date, dt.date]:
    """Monday and Sunday of the last week that has ended by ``now`` (site time zone)."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    this_monday = today - dt.timedelta(days=today.weekday())
    return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)


def week_key(monday: dt.date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def message_id(monday: dt.date, user_id: int) -> str:
    return f"<weekly-summary-{week_key(monday)}-{user_id}@sanad>"


def managers(session: Session) -> list[UserInfo]:
    """Active admins and knowledge managers, each once, by id."""
    users = session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(MANAGER_ROLES))),
        )
        .order_by(User.id)
    ).all()
    return [UserInfo.of(user) for user in users]


def summary_mail(
    manager: UserInfo,
    reports: dict[str, Report],
    *,
    start: dt.date,
    end: dt.date,
    base_url: str,
    timezone: str,
) -> OutgoingMail:
    """The ``weekly_summary`` template pair in the manager's language; a figure that is not
    available (no ticket with service levels yet) says so instead of showing 0."""
    volume, levels = reports["volume"].totals, reports["service-levels"]
    resolution, csat = reports["resolution"].totals, reports["csat"].totals
    searches, deflection = reports["searches"].totals, reports["deflection"].totals
    first = levels.table("times").records()[0]["first_response_median_minutes"]
    root = base_url.rstrip("/")
    mail = compose(
        "weekly_summary",
        manager.lang,
        manager.email,
        timezone=timezone,
        name=" ".join(manager.name.split()),
        start=start,
        end=end,
        opened=volume["tickets"],
        backlog=volume["backlog"],
        resolved_percent=resolution["resolution_percent"],
        first_response_minutes=first,
        compliance_percent=levels.totals["compliance_percent"],
        csat_average=csat["average"],
        rated=csat["rated"],
        searches=searches["searches"],
        no_results=searches["no_results"],
        self_service_percent=deflection["self_service_percent"],
        service_link=f"{root}/reports/service?from={start}&to={end}",
        knowledge_link=f"{root}/reports/knowledge?from={start}&to={end}",
    )
    return replace(mail, message_id=message_id(start, manager.id))


def queue_weekly_summaries(
    session: Session, *, timezone: str, base_url: str, now: dt.datetime
) -> WeeklyOutcome:
    """Queue last week's summary for every manager who has not got it yet."""
    start, end = last_full_week(now, timezone)
    people = managers(session)
    wanted = {message_id(start, m.id): m for m in people}
    present = set(
        session.scalars(
            select(OutboxMessage.message_id).where(OutboxMessage.message_id.in_(list(wanted)))
        ).all()
    )
    todo = [
        m
        for key, m in wanted.items()
        if key not in present and wants_mail(session, m.email, "weekly_summary")
    ]
    if todo:
        week = ReportFilter(start=start, end=end)
        # The figures are the same for every manager: computed once, as the first of them.
        reports = run_reports(session, todo[0], WEEKLY_REPORTS, week, timezone=timezone, now=now)
        for manager in todo:
            mail = summary_mail(
                manager, reports, start=start, end=end, base_url=base_url, timezone=timezone
            )
            enqueue(session, mail, now=now)
    return WeeklyOutcome(week=week_key(start), queued=len(todo), already=len(present))
