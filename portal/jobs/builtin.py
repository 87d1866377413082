"""The jobs Sanad has of its own, and ``JOBS``, the registry every runner runs.

Registering a job is one line in ``JOBS``: a name, an interval, and a function called with
``(context, now)``. A service written as ``fn(session, now)`` becomes one with
``in_transaction(fn)``, e.g. ``Job("sla", every=minutes(1), run=in_transaction(run_sla))``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from portal.config import Settings
from portal.db import transaction, utcnow
from portal.editorial.attention import notify_owners, scan_attention
from portal.editorial.learning import learn
from portal.jobs.runner import Job, JobContext, JobFunction, Summary
from portal.kb.repository import ArticleRepository
from portal.notify.outbox import deliver_due
from portal.reports.weekly import queue_weekly_summaries
from portal.tickets.resolution import close_resolved_tickets
from portal.tickets.service_levels import run_sla

# The outbox job sends in batches of this many until a batch comes back short.
OUTBOX_BATCH = 100
OUTBOX_BATCHES = 50


def minutes(count: int) -> dt.timedelta:
    return dt.timedelta(minutes=count)


def in_transaction(fn: Callable[[Session, dt.datetime], object]) -> JobFunction:
    """A job that calls ``fn(session, now)`` in one transaction (committed on success)."""

    def run(context: JobContext, now: dt.datetime) -> object:
        with transaction(context.sessions) as session:
            return fn(session, now)

    run.__name__ = getattr(fn, "__name__", "job")
    return run


def close_resolved(context: JobContext, now: dt.datetime) -> Summary:
    """Close the tickets resolved longer ago than the reopen window (SANAD_REOPEN_WINDOW_DAYS)."""
    with transaction(context.sessions) as session:
        closed = close_resolved_tickets(session, context.settings.tickets, now=now)
    return Summary({"closed": closed}, f"{closed} ticket(s) closed")


def attention(context: JobContext, now: dt.datetime) -> Summary:
    """The content-health scan, then one mail to the owner of each new flag."""
    repository = context.repository or ArticleRepository(context.settings.articles_dir)
    with transaction(context.sessions) as session:
        report = scan_attention(session, repository, context.settings, now=now)
    link = context.settings.tickets.public_url.rstrip("/") + "/attention/"
    mailed = notify_owners(context.sessions, repository, link=link, now=utcnow)
    counts = {
        "new": report.new_rows,
        "refreshed": report.bumped,
        "resolved": report.resolved,
        "mailed": mailed,
    }
    return Summary(
        counts,
        f"{report.new_rows} new, {report.bumped} refreshed, {report.resolved} resolved, "
        f"{mailed} owner notice(s) sent",
    )


def mail_outbox(context: JobContext, now: dt.datetime) -> Summary:
    """Send the outbox's due mail: retries, and mail queued by a process that sent none."""
    sent = retried = failed = 0
    for _ in range(OUTBOX_BATCHES):
        batch = deliver_due(context.sessions, context.settings.mail, now, limit=OUTBOX_BATCH)
        sent, retried, failed = sent + batch.sent, retried + batch.retried, failed + batch.failed
        if batch.sent + batch.retried + batch.failed < OUTBOX_BATCH or context.lease_lost.is_set():
            break
    counts = {"sent": sent, "retried": retried, "given_up": failed}
    return Summary(counts, f"{sent} sent, {retried} to retry, {failed} given up")


def inbound_mail(context: JobContext, now: dt.datetime) -> Summary:
    """Poll the IMAP mailbox (SANAD_IMAP_*), when one is configured, like ``sanad mail fetch``."""
    from portal.mailin.fetch import fetch_mail

    if not context.settings.mailin.imap_host:
        return Summary({"taken": 0}, "no IMAP mailbox configured")
    done = fetch_mail(context.sessions, context.settings)
    counts = {"taken": done.taken, "duplicates": done.duplicates, "failed": done.failed}
    return Summary(counts, f"{done.taken} taken, {done.duplicates} duplicate(s)")


def _inbound_every(settings: Settings) -> dt.timedelta:
    return settings.jobs.inbound_mail_interval


def service_levels(context: JobContext, now: dt.datetime) -> Summary:
    """Warnings at the share of each target, escalation up the tiers at breach (idempotent)."""
    with transaction(context.sessions) as session:
        summary = run_sla(session, now, context.settings.tickets)
    counts = {
        "checked": summary.checked,
        "warnings": summary.warnings,
        "breaches": summary.breaches,
        "escalations": summary.escalations,
    }
    return Summary(counts, summary.line())


def _sla_every(settings: Settings) -> dt.timedelta:
    return minutes(1)  # issue 12: "every minute"


def learn_from_use(context: JobContext, now: dt.datetime) -> Summary:
    """Fold settled searches, votes and resolutions into learned answers (docs/search.md)."""
    with transaction(context.sessions) as session:
        report = learn(session, context.settings.search, now)
    counts = {"votes": report.votes, "tickets": report.tickets}
    return Summary(counts, f"{report.votes} vote(s), {report.tickets} ticket(s) learned from")


def _learn_every(settings: Settings) -> dt.timedelta:
    return minutes(60)


def _close_every(settings: Settings) -> dt.timedelta:
    return settings.jobs.close_resolved_interval


def _attention_every(settings: Settings) -> dt.timedelta:
    return settings.jobs.attention_interval


def weekly_summary(context: JobContext, now: dt.datetime) -> Summary:
    """Last week's summary mail to each manager, once per week (portal.reports.weekly)."""
    settings = context.settings
    with transaction(context.sessions) as session:
        outcome = queue_weekly_summaries(
            session,
            timezone=settings.tickets.timezone,
            base_url=settings.tickets.public_url,
            now=now,
        )
    return Summary(
        {"queued": outcome.queued, "already": outcome.already},
        f"week {outcome.week}: {outcome.queued} summary mail(s) queued, "
        f"{outcome.already} already sent",
    )


def _weekly_every(settings: Settings) -> dt.timedelta:
    # Hourly: the week's mail leaves within an hour of Monday midnight, and only once.
    return dt.timedelta(hours=1)


def _outbox_every(settings: Settings) -> dt.timedelta:
    return settings.jobs.outbox_interval


# One line per job; the order is the order a runner looks at them in each pass.
JOBS: tuple[Job, ...] = (
    Job("sla", every=_sla_every, run=service_levels),
    Job("mail_outbox", every=_outbox_every, run=mail_outbox),
    Job("close_resolved_tickets", every=_close_every, run=close_resolved),
    Job("attention_scan", every=_attention_every, run=attention),
    Job("search_learning", every=_learn_every, run=learn_from_use),
    Job("inbound_mail", every=_inbound_every, run=inbound_mail),
    Job("weekly_summary", every=_weekly_every, run=weekly_summary),
)
