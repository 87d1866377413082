"""The jobs Sanad registers: each does its service's work when the runner runs it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.models import UserInfo
from portal.db import transaction
from portal.jobs import JobContext, Runner
from portal.jobs.builtin import JOBS, in_transaction
from portal.jobs.runner import Job
from portal.notify.mail import OutgoingMail
from portal.notify.outbox import enqueue
from portal.tickets.intake import open_ticket
from portal.tickets.models import Ticket
from portal.tickets.values import TicketDraft
from tests.support.jobs import Clock
from tests.support.mail import Inbox


def test_every_builtin_job_is_registered_once_with_its_setting() -> None:
    names = [job.name for job in JOBS]
    assert names == [
        "sla",
        "mail_outbox",
        "close_resolved_tickets",
        "attention_scan",
        "search_learning",
        "inbound_mail",
        "weekly_summary",
    ]


def test_close_resolved_tickets_closes_only_those_past_the_reopen_window(
    context: JobContext,
    sessions: sessionmaker[Session],
    clock: Clock,
    make_user: Callable[..., UserInfo],
) -> None:
    requester = make_user("requester")
    window = context.settings.tickets.reopen_window
    with transaction(sessions) as session:
        refs = []
        for age in (window + dt.timedelta(hours=1), window - dt.timedelta(hours=1)):
            opened = open_ticket(
                session,
                context.settings.tickets,
                requester=requester,
                draft=TicketDraft(subject="Printer jams", body="Every morning."),
                now=clock.now - age,
            ).ticket
            session.execute(
                update(Ticket)
                .where(Ticket.reference == opened.reference)
                .values(status="resolved", resolved_at=clock.now - age)
            )
            refs.append(opened.reference)
    [result] = Runner(
        context, [j for j in JOBS if j.name == "close_resolved_tickets"], clock=clock
    ).run_due()
    assert (result.outcome, result.detail) == ("ok", "1 ticket(s) closed")
    with sessions() as session:
        statuses = {row.reference: row.status for row in session.execute(select(Ticket)).scalars()}
    assert statuses == {refs[0]: "closed", refs[1]: "resolved"}


def test_the_outbox_job_sends_queued_mail(
    context: JobContext, sessions: sessionmaker[Session], smtp_server: Inbox
) -> None:
    context = dataclasses.replace(
        context, settings=dataclasses.replace(context.settings, mail=smtp_server.settings)
    )
    with transaction(sessions) as session:
        for number in range(3):
            mail = OutgoingMail(to=f"p{number}@example.com", subject="Hi", body="Text", lang="en")
            enqueue(session, mail, now=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    [result] = Runner(context, [j for j in JOBS if j.name == "mail_outbox"]).run_due()
    assert (result.outcome, result.detail) == ("ok", "3 sent, 0 to retry, 0 given up")
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "p0@example.com",
        "p1@example.com",
        "p2@example.com",
    ]


def test_the_attention_scan_job_runs_the_scan(context: JobContext) -> None:
    [result] = Runner(context, [j for j in JOBS if j.name == "attention_scan"]).run_due()
    assert result.outcome == "ok", result.detail
    assert result.detail == "0 new, 0 refreshed, 0 resolved, 0 owner notice(s) sent"


def test_in_transaction_commits_what_a_session_service_did(
    context: JobContext, sessions: sessionmaker[Session], clock: Clock
) -> None:
    def touch(session: Session, now: dt.datetime) -> str:
        enqueue(
            session, OutgoingMail(to="a@example.com", subject="s", body="b", lang="ar"), now=now
        )
        return "queued one"

    [result] = Runner(
        context, [Job("touch", every=dt.timedelta(hours=1), run=in_transaction(touch))], clock=clock
    ).run_due()
    assert result.detail == "queued one"
    with sessions() as session:
        from portal.notify.outbox import OutboxMessage

        assert session.scalars(select(OutboxMessage.to_address)).all() == ["a@example.com"]
