"""``sanad serve``: the production server (gunicorn), after start-up work."""

from __future__ import annotations

import multiprocessing
from typing import Any

import click
from flask import Flask

from portal import Services, create_app
from portal.accounts.teams import seed_teams
from portal.cli.accounts import demo_enabled, ensure_demo
from portal.cli.base import _services, main
from portal.cli.jobs import job_runner
from portal.cli.search import _print_index_report, _reconcile
from portal.db import transaction, upgrade_database

# --- serving -------------------------------------------------------------------------------


def prepare(services: Services, *, demo: bool, site_url: str | None = None) -> None:
    """Start-up work done once, before workers fork: migrate, make sure articles and index exist."""
    settings = services.settings
    upgrade_database(settings.database_url, timeout=settings.database_timeout)
    with transaction(services.sessions) as session:  # SANAD_DEFAULT_TEAM, SANAD_CATEGORY_TEAMS
        seed_teams(session, settings.tickets.default_team, settings.tickets.category_teams.values())
    services.repository.ensure_git()
    report = _reconcile(services)
    _print_index_report(report)
    if demo:
        ensure_demo(services, site_url=site_url)


def start_job_runner(app: Flask) -> None:
    """The job runner in a thread of this worker, unless SANAD_JOBS_IN_SERVE=0: every
    worker of every host runs one, and the leases let one of them run each job."""
    from portal.jobs import EXTENSION, BackgroundRunner

    services: Services = app.extensions["sanad"]
    if not services.settings.jobs.in_serve:
        return
    background = BackgroundRunner(job_runner(services))
    app.extensions[EXTENSION] = background
    background.start()


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Worker processes (default: one per CPU core).",
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Log every request to standard output (costs throughput; a proxy usually logs).",
)
@click.option(
    "--demo/--no-demo",
    default=None,
    help="Create the demo accounts and print them (default: SANAD_DEMO, off).",
)
def serve(host: str, port: int, workers: int | None, access_log: bool, demo: bool | None) -> None:
    """Run the portal on gunicorn (sync workers), after migrating and syncing the index."""
    from gunicorn.app.base import BaseApplication

    from portal.events import active_buffer, enable_buffer

    services = _services()
    prepare(services, demo=demo_enabled(demo, services.settings), site_url=f"http://{host}:{port}")
    count = workers or multiprocessing.cpu_count()

    class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", count)
            self.cfg.set("worker_class", "sync")
            # A query that somehow runs away is cut off here at the latest.
            self.cfg.set("timeout", 30)
            if access_log:
                self.cfg.set("accesslog", "-")
                self.cfg.set("access_log_format", '%(h)s "%(r)s" %(s)s %(b)s %(M)sms')
            self.cfg.set("worker_exit", _worker_exit)

        def load(self) -> Flask:
            # Each worker builds its own app: engines and index handles are not fork-safe.
            app = create_app()
            # Usage events are written in batches per worker (portal.events.EventBuffer).
            enable_buffer()
            start_job_runner(app)
            return app

    def _worker_exit(_arbiter: Any, worker: Any) -> None:
        from portal.jobs import EXTENSION

        app = getattr(worker, "wsgi", None)  # what load() returned, in this worker
        background = app.extensions.get(EXTENSION) if isinstance(app, Flask) else None
        if background is not None:
            background.stop()  # after the running job; a job cut off runs again later
        buffer = active_buffer()
        if buffer is not None:
            buffer.flush()

    click.echo(f"Sanad is serving on http://{host}:{port}/ with {count} worker(s)")
    _Server().run()
