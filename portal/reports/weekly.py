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
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.mail_preferences import wants_mail
from portal.accounts.models import User, UserInfo, UserRole
from portal.notify.mail import OutgoingMail
from portal.notify.outbox import OutboxMessage, enqueue
from portal.notify.templating import html_part
from portal.reports.access import MANAGER_ROLES
from portal.reports.data import Cell, Report
from portal.reports.filters import ReportFilter
from portal.reports.registry import run_reports

WEEKLY_REPORTS = ("volume", "service-levels", "resolution", "csat", "searches", "deflection")

_MAIL = {
    "en": {
        "subject": "Sanad weekly summary: {start} to {end}",
        "hello": "Hello {name},",
        "intro": "The help desk and the knowledge base in the week from {start} to {end}:",
        "opened": "Tickets opened: {value}",
        "backlog": "Open now (backlog): {value}",
        "resolved": "Resolved of those opened: {value}",
        "first_response": "First response, median: {value}",
        "compliance": "Service-level compliance: {value}",
        "csat": "Satisfaction (1 to 5), average: {value} from {count} rating(s)",
        "searches": "Searches: {value}, of which without results: {empty}",
        "self_service": "Self-service rate: {value}",
        "links": "Service dashboard: {service}\nKnowledge dashboard: {knowledge}",
        "na": "not available",
        "minutes": "{value} working minutes",
    },
    "ar": {
        "subject": "ملخص سند الأسبوعي: من {start} إلى {end}",
        "hello": "مرحبًا {name}،",
        "intro": "مكتب الدعم وقاعدة المعرفة في الأسبوع من {start} إلى {end}:",
        "opened": "التذاكر المفتوحة: {value}",
        "backlog": "المفتوحة الآن (المتراكمة): {value}",
        "resolved": "المحلولة مما فُتح: {value}",
        "first_response": "أول رد، الوسيط: {value}",
        "compliance": "الالتزام بمستوى الخدمة: {value}",
        "csat": "الرضا (من 1 إلى 5)، المتوسط: {value} من {count} تقييم",
        "searches": "عمليات البحث: {value}، منها بلا نتائج: {empty}",
        "self_service": "نسبة الخدمة الذاتية: {value}",
        "links": "لوحة الخدمة: {service}\nلوحة المعرفة: {knowledge}",
        "na": "غير متاح",
        "minutes": "{value} دقيقة عمل",
    },
}


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


def _shown(value: Cell, lang: str, suffix: str = "") -> str:
    if value is None:
        return _MAIL[lang]["na"]
    return f"{value}{suffix}"


def summary_mail(
    manager: UserInfo,
    reports: dict[str, Report],
    *,
    start: dt.date,
    end: dt.date,
    base_url: str,
) -> OutgoingMail:
    lang = manager.lang if manager.lang in _MAIL else "ar"
    text = _MAIL[lang]
    volume, levels = reports["volume"].totals, reports["service-levels"]
    resolution, csat = reports["resolution"].totals, reports["csat"].totals
    searches, deflection = reports["searches"].totals, reports["deflection"].totals
    first = levels.table("times").records()[0]["first_response_median_minutes"]
    dates = {"start": start.isoformat(), "end": end.isoformat()}
    lines = [
        text["opened"].format(value=volume["tickets"]),
        text["backlog"].format(value=volume["backlog"]),
        text["resolved"].format(value=_shown(resolution["resolution_percent"], lang, "%")),
        text["first_response"].format(
            value=text["minutes"].format(value=first) if first is not None else text["na"]
        ),
        text["compliance"].format(value=_shown(levels.totals["compliance_percent"], lang, "%")),
        text["csat"].format(value=_shown(csat["average"], lang), count=csat["rated"]),
        text["searches"].format(value=searches["searches"], empty=searches["no_results"]),
        text["self_service"].format(value=_shown(deflection["self_service_percent"], lang, "%")),
    ]
    root = base_url.rstrip("/")
    links = text["links"].format(
        service=f"{root}/reports/service?from={start}&to={end}",
        knowledge=f"{root}/reports/knowledge?from={start}&to={end}",
    )
    body = "\n\n".join(
        [
            text["hello"].format(name=" ".join(manager.name.split())),
            text["intro"].format(**dates),
            "\n".join(f"- {line}" for line in lines),
            links,
        ]
    )
    subject = text["subject"].format(**dates)
    return OutgoingMail(
        to=manager.email,
        subject=subject,
        body=body + "\n",
        lang=lang,
        html=html_part(subject, body, lang),
        message_id=message_id(start, manager.id),
    )


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
            mail = summary_mail(manager, reports, start=start, end=end, base_url=base_url)
            enqueue(session, mail, now=now)
    return WeeklyOutcome(week=week_key(start), queued=len(todo), already=len(present))
