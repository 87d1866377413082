"""The ``sanad`` command: a Flask CLI group over ``create_app``. Commands call services only."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from portal import Services, create_app
from portal.accounts import services as account_services
from portal.accounts.errors import PasswordRejected, UserNotFound
from portal.accounts.errors import ValidationError as AccountValidationError
from portal.accounts.models import LANGS, ROLES
from portal.config import (
    MAX_API_TOKEN_DAYS,
    ConfigError,
    Settings,
    describe,
    load_settings,
    mask_url,
)
from portal.db import DatabaseError, transaction, upgrade_database, utcnow
from portal.tickets import service_levels, sla_admin
from portal.tickets.errors import ValidationError as TicketValidationError


def _services() -> Services:
    services: Services = current_app.extensions["sanad"]
    return services


def _make_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:  # one line that names the variable, not a traceback
        raise click.ClickException(str(error)) from None


def _database_named() -> str:
    """The configured database URL, password masked, for an error message (or "")."""
    try:
        return f" at {mask_url(load_settings().database_url)}"
    except Exception:  # the settings themselves are broken: the error says enough
        return ""


def database_failure(error: DatabaseError) -> str:
    """One line for a database that cannot be opened or reached: what, where, and why."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    reason = lines[0] if lines else type(original).__name__
    return f"cannot use the database{_database_named()}: {reason} (see SANAD_DATABASE_URL)"


class _SanadGroup(FlaskGroup):
    """Flask's CLI group, except that a database that cannot be used ends any command with
    one line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatabaseError as error:
            raise click.ClickException(database_failure(error)) from None


@click.group(cls=_SanadGroup, create_app=_make_app, add_version_option=False)
def main() -> None:
    """Sanad help desk portal."""


# --- settings ------------------------------------------------------------------------------


@main.group()
def config() -> None:
    """Settings (SANAD_* environment variables, docs/configuration.md)."""


@config.command("check", with_appcontext=False)
def config_check() -> None:
    """Print every effective setting with its variable, secrets masked; exit 1 if one is
    invalid."""
    try:
        settings = load_settings()
    except ConfigError as error:
        _fail(f"invalid setting: {error}")
    rows = list(describe(settings))
    width = max(len(path) for path, _value, _variable in rows)
    for path, value, variable in rows:
        click.echo(f"{path:<{width}} = {value}" + (f"  ({variable})" if variable else ""))


# --- database ------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    settings = _services().settings
    upgrade_database(settings.database_url, timeout=settings.database_timeout)
    click.echo("database is up to date")


# --- articles ------------------------------------------------------------------------------


@main.group()
def articles() -> None:
    """The articles directory."""


@articles.command("check")
def articles_check() -> None:
    """Report every broken article file with its path and line; exit 1 if any."""
    from portal.kb.services import check_articles

    services = _services()
    problems = check_articles(services.repository)
    for problem in problems:
        click.echo(str(problem), err=True)
    total = len(services.repository.article_paths())
    click.echo(f"{total} article files, {len(problems)} problem(s)")
    if problems:
        sys.exit(1)


@main.command("import")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--lang", type=click.Choice(["ar", "en"]), default=None, help="Language of the files."
)
@click.option(
    "--into",
    "into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Articles directory to import into (default: SANAD_ARTICLES_DIR).",
)
def import_command(source: Path, lang: str | None, into: Path | None) -> None:
    """Import a Markdown knowledge base that uses another front-matter schema."""
    from portal.kb.repository import ArticleRepository
    from portal.kb.services import import_articles

    repository = ArticleRepository(into.resolve()) if into else _services().repository
    report = import_articles(source, repository, lang=lang)
    for problem in report.skipped:
        click.echo(f"skipped {problem}", err=True)
    click.echo(
        f"imported {report.imported} article(s), skipped {len(report.skipped)}"
        + (f", commit {report.commit[:12]}" if report.commit else "")
    )


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


# --- accounts ------------------------------------------------------------------------------


def _fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(1)


@main.group()
def users() -> None:
    """People who log in: agents, administrators, requesters."""


@users.command("create")
@click.option("--email", required=True, help="E-mail address (the log-in name).")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    default=("requester",),
    show_default=True,
    help="A role; repeat for several.",
)
@click.option("--tier", type=click.IntRange(1, 3), default=None, help="Support tier of an agent.")
@click.option("--team", "teams", multiple=True, help="A team of an agent; repeat for several.")
@click.option("--lang", type=click.Choice(LANGS), default="ar", show_default=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Initial password (asked for when left out, so it stays out of the shell history).",
)
def users_create(
    email: str,
    name: str,
    roles: tuple[str, ...],
    tier: int | None,
    teams: tuple[str, ...],
    lang: str,
    password: str,
) -> None:
    """Create an account; the password policy applies."""
    services = _services()
    try:
        with transaction(services.sessions) as session:
            info = account_services.create_user(
                session,
                services.settings.accounts,
                email=email,
                name=name,
                password=password,
                roles=roles,
                lang=lang,
                tier=tier,
                teams=teams,
                now=utcnow(),
            )
    except PasswordRejected as error:
        _fail("password refused: " + " ".join(p.message for p in error.problems))
    except AccountValidationError as error:
        _fail(f"{error.field}: {error.message}")
    click.echo(f"created #{info.id} {info.email} ({', '.join(sorted(info.roles))})")


@main.group()
def tokens() -> None:
    """Personal API tokens (Authorization: Bearer …)."""


@tokens.command("create")
@click.option("--email", required=True, help="Whose token it is.")
@click.option("--name", default="", help="A note to recognise the token by (e.g. the script).")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_API_TOKEN_DAYS),
    default=None,
    help="How long the token works (default: SANAD_API_TOKEN_TTL_DAYS, 90).",
)
def tokens_create(email: str, name: str, days: int | None) -> None:
    """Create an API token and print it once: only its hash is stored."""
    services = _services()
    lifetime = dt.timedelta(days=days) if days else services.settings.accounts.api_token_ttl
    try:
        with transaction(services.sessions) as session:
            token = account_services.create_api_token(
                session, email=email, name=name, now=utcnow(), lifetime=lifetime
            )
    except UserNotFound:
        _fail(f"no account with the e-mail address {email}")
    click.echo(token)
    click.echo("Store it now: Sanad cannot show it again.", err=True)


@tokens.command("revoke")
@click.option("--email", required=True, help="Whose tokens to revoke.")
def tokens_revoke(email: str) -> None:
    """Revoke every API token of an account (e.g. a leaked script's), at once."""
    services = _services()
    try:
        with transaction(services.sessions) as session:
            user = account_services.find_user_by_email(session, email)
            count = account_services.revoke_api_tokens(session, user.id, now=utcnow())
    except UserNotFound:
        _fail(f"no account with the e-mail address {email}")
    click.echo(f"revoked {count} token(s) of {user.email}")


def demo_enabled(flag: bool | None, settings: Settings) -> bool:
    """Demo accounts only when asked: ``--demo``, or ``SANAD_DEMO=1`` without ``--no-demo``."""
    return settings.demo if flag is None else flag


def ensure_demo(services: Services) -> None:
    """Create the missing demo accounts and print how to log in with each."""
    with transaction(services.sessions) as session:
        rows = account_services.ensure_demo_accounts(
            session, services.settings.accounts, now=utcnow()
        )
    click.echo("Demo accounts (asked for with --demo or SANAD_DEMO=1; never in production):")
    width = max(len(row.email) for row in rows)
    for row in rows:
        click.echo(f"  {row.email:<{width}}  {row.password:<24}  {', '.join(row.roles)}")


# --- content health ------------------------------------------------------------------------


@main.group()
def attention() -> None:
    """Articles that need a knowledge manager's attention (docs/lifecycle.md)."""


@attention.command("scan")
@click.option("--no-mail", is_flag=True, help="Raise the rows but do not mail the owners.")
def attention_scan(no_mail: bool) -> None:
    """Flag articles (votes, reopens, agents' flags, review dates, stale translations) and
    mail each new flag's owner once. Safe to run from cron as often as you like."""
    from portal.editorial.attention import notify_owners, scan_attention

    services = _services()
    with transaction(services.sessions) as session:
        report = scan_attention(session, services.repository, services.settings, now=utcnow())
    for reason, count in sorted(report.raised.items()):
        click.echo(f"{reason}: {count} new")
    click.echo(
        f"{report.new_rows} new, {report.bumped} refreshed, {report.resolved} resolved "
        "(no longer true)"
    )
    if not no_mail:
        link = services.settings.tickets.public_url.rstrip("/") + "/attention/"
        mailed = notify_owners(services.sessions, services.repository, link=link, now=utcnow)
        click.echo(f"{mailed} owner notice(s) sent")


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


# --- serving -------------------------------------------------------------------------------


@main.group()
def sla() -> None:
    """Service levels: warnings and escalations (docs/service-levels.md)."""


@sla.command("run")
@click.option(
    "--now", "at", default=None, help="Apply them as of this ISO 8601 instant (default: now)."
)
def sla_run(at: str | None) -> None:
    """Warn at the configured share of each target and escalate at breach; idempotent."""
    services = _services()
    now = utcnow()
    if at:
        try:
            now = dt.datetime.fromisoformat(at)
        except ValueError:
            _fail(f"--now: {at!r} is not an ISO 8601 instant such as 2026-12-03T10:00:00+03:00")
        if now.tzinfo is None:
            _fail("--now: give the offset too, such as 2026-12-03T10:00:00+03:00")
    with transaction(services.sessions) as session:
        summary = service_levels.run_sla(session, now, services.settings.tickets)
    click.echo(summary.line())


@main.group()
def calendar() -> None:
    """Business-hours calendars: working hours, overrides, holidays."""


@calendar.command("show")
def calendar_show() -> None:
    """Print each calendar: time zone, hours per weekday, overrides and holidays."""
    services = _services()
    with transaction(services.sessions) as session:
        found = sla_admin.list_calendars(
            session, sla_admin.OPERATOR, timezone=services.settings.timezone
        )
    for shown in found:
        default = " (default)" if shown.is_default else ""
        click.echo(f"calendar #{shown.id} {shown.name}{default}, time zone {shown.timezone}")
        for weekday, periods in shown.week:
            click.echo(f"  {weekday:<10} {periods}")
        for override in shown.overrides:
            click.echo(
                f"  override #{override.id} {override.first_day}..{override.last_day} "
                f"{override.periods}  {override.name}"
            )
        for holiday in shown.holidays:
            hijri = f" (Hijri {holiday.hijri})" if holiday.hijri else ""
            click.echo(f"  holiday #{holiday.id} {holiday.day}{hijri}  {holiday.name}")


@calendar.group("holidays")
def calendar_holidays() -> None:
    """Holidays of the default calendar."""


@calendar_holidays.command("add")
@click.option("--date", "date", required=True, help="YYYY-MM-DD (Umm al-Qura with --hijri).")
@click.option("--hijri", is_flag=True, help="The date is on the Hijri (Umm al-Qura) calendar.")
@click.option("--days", type=click.IntRange(1, sla_admin.MAX_HOLIDAY_DAYS), default=1)
@click.option("--name", required=True, help="What the holiday is called.")
def calendar_holidays_add(date: str, hijri: bool, days: int, name: str) -> None:
    """Add a holiday of one or more days: no working time is counted on it."""
    services = _services()
    try:
        with transaction(services.sessions) as session:
            added = sla_admin.add_holiday(
                session, sla_admin.OPERATOR, date=date, name=name, hijri=hijri, days=days
            )
    except TicketValidationError as error:
        _fail(f"--{error.field}: {error.message}")
    click.echo(f"holiday {name!r}: {', '.join(day.isoformat() for day in added)}")


def prepare(services: Services, *, demo: bool) -> None:
    """Start-up work done once, before workers fork: migrate, make sure articles and index exist."""
    settings = services.settings
    upgrade_database(settings.database_url, timeout=settings.database_timeout)
    services.repository.ensure_git()
    report = _reconcile(services)
    _print_index_report(report)
    if demo:
        ensure_demo(services)


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
    prepare(services, demo=demo_enabled(demo, services.settings))
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
