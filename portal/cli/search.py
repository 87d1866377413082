"""``sanad index rebuild|sync`` and ``sanad search check|learn``."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from portal import Services
from portal.cli.base import _fail, _services, main
from portal.db import transaction, utcnow

# --- search --------------------------------------------------------------------------------


@main.group()
def index() -> None:
    """The search index (a rebuildable cache of the articles)."""


def _print_index_report(report: Any) -> None:
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    click.echo(
        f"{report.mode}: {report.added} added, {report.updated} updated, "
        f"{report.removed} removed in {report.seconds:.2f}s"
        + (f" at {report.commit[:12]}" if report.commit else "")
    )


@index.command("rebuild")
def index_rebuild() -> None:
    """Build a new index from every article and swap it in atomically."""
    _print_index_report(_services().search.rebuild())


@index.command("sync")
def index_sync() -> None:
    """Index only what changed since the indexed commit (rebuilds a missing index), after
    finishing any approval a crash cut off (git, index and database agree afterwards)."""
    _print_index_report(_reconcile(_services()))


def _reconcile(services: Services) -> Any:
    """Finish interrupted approvals, then sync the index; returns the index report."""
    from sqlalchemy.exc import SQLAlchemyError

    from portal.editorial.publishing import reconcile

    try:
        with transaction(services.sessions) as session:
            report = reconcile(session, services.repository, services.search, now=utcnow())
    except SQLAlchemyError as error:  # no database yet (before `sanad db upgrade`): index only
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        click.echo(f"approvals not reconciled, the database is not usable: {first}", err=True)
        return services.search.sync()
    for result in report.published:
        click.echo(f"finished the interrupted approval of draft {result.draft_id}", err=True)
    return report.index


@main.group()
def search() -> None:
    """Search quality."""


@search.command("check")
def search_check() -> None:
    """Run the golden queries of _golden.yml: each pinned article must rank in the top 3."""
    results = _services().search.check_golden()
    failed = 0
    for result in results:
        rank = "miss" if result.rank is None else f"#{result.rank}"
        mark = "ok  " if result.passed else "FAIL"
        failed += not result.passed
        click.echo(f"{mark} {rank:>5}  [{result.lang or '*'}] {result.query}  →  {result.expected}")
    click.echo(f"{len(results) - failed}/{len(results)} golden queries pass")
    if failed or not results:
        sys.exit(1)


@search.command("learn")
@click.option("--now", "now_text", default=None, help="Learn as of this ISO 8601 time (UTC).")
def search_learn(now_text: str | None) -> None:
    """Fold new usage events and resolved tickets into learned associations (idempotent)."""
    from portal.editorial.learning import learn

    now = utcnow()
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text)
        except ValueError:
            _fail(f"--now: not an ISO 8601 time: {now_text!r} (like 2026-12-03T09:00:00+00:00)")
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
    services = _services()
    with transaction(services.sessions) as session:
        report = learn(session, services.settings.search, now)
    if services.search.learned is not None:
        services.search.learned.refresh()
    click.echo(
        f"learned from {report.votes} vote session(s) and {report.tickets} ticket(s), "
        f"events up to {report.learned_until.isoformat()}"
    )
