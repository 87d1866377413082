"""The ``weekly_summary`` job: last week's key figures to each manager, in their language, text
and HTML, through the outbox to a real SMTP server on loopback; run twice, one mail each."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.mail_preferences import set_mail_choices
from portal.accounts.models import UserInfo
from portal.db import transaction
from portal.jobs import JobContext, Runner
from portal.jobs.builtin import JOBS
from portal.reports.weekly import last_full_week
from portal.tickets.intake import open_ticket
from portal.tickets.values import TicketDraft
from tests.support.jobs import Clock
from tests.support.mail import Inbox

# Wednesday 25 November 2026, noon in Riyadh: last week is Monday 16 to Sunday 22 November.
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def test_last_full_week_is_monday_to_sunday_on_the_site_calendar() -> None:
    assert last_full_week(NOW, "Asia/Riyadh") == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    # Sunday 23:30 UTC is already Monday in Riyadh: the week just ended is the last one.
    late = dt.datetime(2026, 11, 22, 21, 30, tzinfo=dt.UTC)
    assert last_full_week(late, "Asia/Riyadh") == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    assert last_full_week(late, "UTC") == (dt.date(2026, 11, 9), dt.date(2026, 11, 15))


def _body(message: object, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content()).replace("\r\n", "\n")


def test_each_manager_gets_one_summary_a_week_in_their_language(
    context: JobContext,
    sessions: sessionmaker[Session],
    smtp_server: Inbox,
    make_user: Callable[..., UserInfo],
    deliver: Callable[[], int],
) -> None:
    context = dataclasses.replace(
        context, settings=dataclasses.replace(context.settings, mail=smtp_server.settings)
    )
    admin = make_user("admin", email="sara@example.com", name="سارة", lang="ar")
    make_user("knowledge_manager", email="mona@example.com", name="Mona", lang="en")
    make_user("agent", email="adel@example.com")  # not a manager: no summary
    muted = make_user("admin", email="quiet@example.com")
    with transaction(sessions) as session:  # turned the summary off on their profile
        set_mail_choices(session, muted, ["sla_warning", "sla_breach", "attention"])
    make_user("requester", email="reem@example.com")
    with transaction(sessions) as session:
        for day in (16, 18, 22):
            open_ticket(
                session,
                context.settings.tickets,
                requester=admin,
                draft=TicketDraft(subject="Printer jams", body="Every morning."),
                now=dt.datetime(2026, 11, day, 8, 0, tzinfo=dt.UTC),
            )
        # This week's ticket is not last week's figure.
        open_ticket(
            session,
            context.settings.tickets,
            requester=admin,
            draft=TicketDraft(subject="VPN drops", body="Every hour."),
            now=dt.datetime(2026, 11, 24, 8, 0, tzinfo=dt.UTC),
        )
    [job] = [j for j in JOBS if j.name == "weekly_summary"]
    clock = Clock(NOW)
    [first] = Runner(context, [job], clock=clock).run_due()
    assert (first.outcome, first.detail) == (
        "ok",
        "week 2026-W47: 2 summary mail(s) queued, 0 already sent",
    )
    clock.now = NOW + dt.timedelta(hours=2)
    [again] = Runner(context, [job], clock=clock).run_due()
    assert again.detail == "week 2026-W47: 0 summary mail(s) queued, 2 already sent"
    deliver()  # the summaries, and the tickets' acknowledgements to their requester
    summaries = [m for m in smtp_server.messages if "weekly-summary" in str(m["Message-ID"])]
    assert len(summaries) == 2
    by_address = {m["To"]: m for m in summaries}
    assert sorted(by_address) == ["mona@example.com", "sara@example.com"]

    english = by_address["mona@example.com"]
    assert english["Subject"] == "Sanad weekly summary: Nov 16, 2026 to Nov 22, 2026"
    text = _body(english, "plain")
    assert "Hello Mona," in text
    assert "- Tickets opened: 3\n" in text
    assert "- Open now (backlog): 4\n" in text  # every open ticket, whenever opened
    assert "- Satisfaction (1 to 5), average: not available (0 ratings)" in text
    assert "/reports/service?from=2026-11-16&to=2026-11-22" in text
    html = _body(english, "html")
    assert 'dir="ltr"' in html
    assert "Tickets opened: 3" in html

    arabic = by_address["sara@example.com"]
    assert arabic["Subject"].startswith("ملخص سند الأسبوعي: من ")
    assert "(6 جمادى الآخرة 1448) إلى " in arabic["Subject"]  # the dates as the pages write them
    arabic_text = _body(arabic, "plain")
    assert "مرحبًا سارة،" in arabic_text
    assert "- التذاكر المفتوحة: 3\n" in arabic_text
    assert "غير متاح" in arabic_text
    assert 'dir="rtl"' in _body(arabic, "html")
    # A week later, a new week's summary.
    clock.now = NOW + dt.timedelta(days=7)
    [later] = Runner(context, [job], clock=clock).run_due()
    assert later.detail == "week 2026-W48: 2 summary mail(s) queued, 0 already sent"
