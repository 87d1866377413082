"""``/admin/jobs``: every periodic job with its last run, outcome and next due time, and an
admin's "run now". The role check is the service's (portal.jobs.service); the views parse,
call it and render."""

from __future__ import annotations

import datetime as dt

from flask import (
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_decimal, format_timedelta, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from werkzeug.wrappers import Response

from portal.db import reading, transaction, utcnow
from portal.jobs import EXTENSION
from portal.jobs.builtin import JOBS
from portal.jobs.service import JobNotFound, JobsForbidden, JobView, list_jobs, request_run
from portal.web.admin.views import bp
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services
from portal.web.dates import moment

# What the page calls each job; a job without a title here shows its name.
TITLES = {
    "mail_outbox": _l("Send the mail outbox"),
    "close_resolved_tickets": _l("Close resolved tickets"),
    "attention_scan": _l("Scan articles that need attention"),
    "sla": _l("Service levels: warnings and escalations"),
    "search_learning": _l("Learn from what answered searches"),
}


# The figures jobs report (portal.jobs.Summary), by name; a job whose figures are not all
# named here shows its one-line text instead.
FIGURES = {
    "closed": _l("Tickets closed"),
    "sent": _l("Mails sent"),
    "retried": _l("Mails to retry"),
    "given_up": _l("Mails given up"),
    "new": _l("New flags"),
    "refreshed": _l("Flags refreshed"),
    "resolved": _l("Flags resolved"),
    "mailed": _l("Owners notified"),
    "checked": _l("Tickets checked"),
    "warnings": _l("Warnings sent"),
    "breaches": _l("Breaches recorded"),
    "escalations": _l("Tickets escalated"),
    "votes": _l("Helpful votes learned from"),
    "tickets": _l("Resolved tickets learned from"),
}


def figures(view: JobView) -> list[tuple[str, str]]:
    """The run's figures as (label, number) in the reader's language, or [] to show the
    job's own text."""
    if not view.last_counts or any(name not in FIGURES for name, _n in view.last_counts):
        return []
    return [(str(FIGURES[name]), format_decimal(count)) for name, count in view.last_counts]


class RunJobForm(FlaskForm):  # type: ignore[misc]
    """ "Run now": nothing to type, the CSRF token is the point."""


def job_title(name: str) -> str:
    return str(TITLES.get(name, name))


def when(value: dt.datetime | None) -> Markup:
    """A moment in the site's time zone, in the reader's language (``moment``), and the zone."""
    if value is None:
        return escape(_("Never"))
    return moment(value) + Markup(" ({})").format(str(get_timezone()))


def every(interval: dt.timedelta) -> str:
    return str(_("Every %(interval)s", interval=format_timedelta(interval, threshold=1.0)))


def took(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 0.01:
        return str(_("under %(seconds)s s", seconds=format_decimal(0.01)))
    return str(_("%(seconds)s s", seconds=format_decimal(round(seconds, 2))))


@bp.get("/jobs")
@roles_required("admin")
def jobs() -> str:
    now = utcnow()
    try:
        with reading(services().sessions) as session:
            views = list_jobs(session, current_account(), JOBS, services().settings, now=now)
    except JobsForbidden:
        abort(403)
    return render_template(
        "admin/jobs.html",
        jobs=views,
        now=now,
        title=job_title,
        when=when,
        every=every,
        took=took,
        figures=figures,
        due=lambda view: _due(view, now),
        notices=[str(m) for m in get_flashed_messages()],
    )


def _due(view: JobView, now: dt.datetime) -> str:
    if view.next_due_at is None or view.next_due_at <= now:
        return str(_("Now, at the next pass of the runner"))
    return when(view.next_due_at)


@bp.post("/jobs/<name>/run")
@roles_required("admin")
def run_job(name: str) -> Response:
    form = RunJobForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with transaction(services().sessions) as session:
            request_run(session, current_account(), name, JOBS, now=utcnow())
    except JobNotFound:
        abort(404)
    except JobsForbidden:
        abort(403)
    runner = current_app.extensions.get(EXTENSION)
    if runner is not None:
        runner.wake()  # this worker's runner looks at once
        flash(_("“%(job)s” runs now; reload the page to see its outcome.", job=job_title(name)))
    else:
        flash(
            _(
                "“%(job)s” runs at the next pass of the job runner (within a minute).",
                job=job_title(name),
            )
        )
    return redirect(url_for("admin.jobs"), code=303)
