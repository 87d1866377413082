"""``sanad jobs run|list``: periodic work and its runner."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from portal import Services
from portal.cli.base import _services, main
from portal.db import utcnow

# --- jobs ----------------------------------------------------------------------------------


def job_runner(services: Services) -> Any:
    """A ``portal.jobs.Runner`` over this application's wiring and every registered job."""
    from portal.jobs import JobContext, Runner
    from portal.jobs.builtin import JOBS

    context = JobContext(
        settings=services.settings,
        sessions=services.sessions,
        repository=services.repository,
        search=services.search,
    )
    return Runner(context, JOBS)


@main.group()
def jobs() -> None:
    """Periodic work: closing resolved tickets, the attention scan, the mail outbox
    (docs/jobs.md)."""


def _when(moment: dt.datetime | None) -> str:
    return "never" if moment is None else moment.isoformat(timespec="seconds")


def _print_result(result: Any) -> None:
    took = f" (took over from {result.taken_over_from})" if result.taken_over_from else ""
    detail = f": {result.detail}" if result.detail else ""
    click.echo(f"{result.name}: {result.outcome} in {result.seconds:.2f}s{detail}{took}")


@jobs.command("run")
@click.option("--once", is_flag=True, help="Run every due job once, then exit.")
def jobs_run(once: bool) -> None:
    """Run the due jobs, each under a lease in the database, so that with any number of
    runners on any number of hosts each job runs once at a time. Without --once, keep
    running until Ctrl-C or SIGTERM (the job that is running then finishes first)."""
    import signal
    import threading

    runner = job_runner(_services())
    if once:
        results = runner.run_due()
        for result in results:
            _print_result(result)
        click.echo(f"{len(results)} job(s) run")
        if any(result.outcome != "ok" for result in results):
            sys.exit(1)
        return
    stop = threading.Event()

    def ask_to_stop(signum: int, _frame: Any) -> None:
        click.echo(f"stopping after the running job ({signal.Signals(signum).name})", err=True)
        stop.set()
        # A second signal stops at once; the job's lease then runs out and it runs again.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    signal.signal(signal.SIGINT, ask_to_stop)
    signal.signal(signal.SIGTERM, ask_to_stop)
    click.echo(f"running jobs as {runner.holder}; Ctrl-C stops", err=True)
    runner.run_forever(stop)
    click.echo("job runner stopped", err=True)


@jobs.command("list")
def jobs_list() -> None:
    """Every job: its interval, last run, outcome and when it is next due."""
    from portal.db import reading
    from portal.jobs.builtin import JOBS
    from portal.jobs.service import job_views

    services = _services()
    now = utcnow()
    with reading(services.sessions) as session:
        views = job_views(session, JOBS, services.settings, now=now)
    width = max(len(view.name) for view in views)
    for view in views:
        outcome = view.last_outcome or "-"
        if view.running_since is not None:
            outcome = "stalled" if view.stalled else f"running since {_when(view.running_since)}"
        detail = f"  {view.last_detail}" if view.last_detail else ""
        due = "now" if view.next_due_at is None or view.next_due_at <= now else None
        click.echo(
            f"{view.name:<{width}}  every {view.interval}  last {_when(view.last_started_at)}  "
            f"{outcome}  next {due or _when(view.next_due_at)}{detail}"
        )
