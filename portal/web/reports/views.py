"""``/reports``: the dashboards (``/reports/service`` for help-desk managers, ``/reports/knowledge``
for knowledge managers, ``/reports/me``: an agent's week) and the content gap's "start a draft".

Thin: the filter comes from the query string (a GET form), ``run_dashboard`` checks who may see
what and computes the reports, and the template draws each table as an SVG chart beside the
table itself, with a CSV link (``GET /api/v1/reports/<name>.csv``, the same filters).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm

from portal.db import transaction, utcnow
from portal.kb.draft_model import WorkflowError
from portal.reports.access import may_see_dashboard, may_start_gap_drafts
from portal.reports.data import Report, Table
from portal.reports.errors import BadFilter, ReportForbidden, ReportNotFound, ReportUnauthorized
from portal.reports.filters import LANGUAGES, MAX_DAYS, MAX_HOURS, PARAMETERS, ReportFilter
from portal.reports.gaps import start_gap_draft
from portal.reports.registry import report_filter, run_dashboard, site_today
from portal.tickets.states import CHANNELS, PRIORITIES
from portal.web.auth.access import current_account, login_required, unauthorized_response
from portal.web.context import direction, services, ui_lang
from portal.web.reports.charts import BarChart, LineChart, bar_chart, line_chart
from portal.web.reports.labels import column_name, value_name

bp = Blueprint("reports", __name__, url_prefix="/reports")
MY_WEEK_DAYS = 7


class GapDraftForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: the gap and the filter are read (and checked) by the service."""


@dataclass(frozen=True)
class Section:
    report: str
    table: str
    title: LazyString
    chart: str | None = None  # "bars" | "line"
    label: str = ""
    value: str = ""


SECTIONS: dict[str, tuple[Section, ...]] = {
    "service": (
        Section("volume", "over_time", _l("Tickets opened over time"), "line", "period", "tickets"),
        Section("volume", "by_category", _l("By category"), "bars", "category", "tickets"),
        Section("volume", "by_channel", _l("By channel"), "bars", "channel", "tickets"),
        Section("volume", "by_priority", _l("By priority"), "bars", "priority", "tickets"),
        Section("volume", "by_team", _l("By team"), "bars", "team", "tickets"),
        Section("volume", "ageing", _l("Backlog by age"), "bars", "age", "tickets"),
        Section(
            "service-levels",
            "times",
            _l("First response and resolution in working time"),
            "bars",
            "priority",
            "first_response_median_minutes",
        ),
        Section(
            "service-levels",
            "compliance",
            _l("Service-level compliance"),
            "bars",
            "priority",
            "compliance_percent",
        ),
        Section(
            "service-levels",
            "breaches_by_root_cause",
            _l("Breaches by root cause"),
            "bars",
            "root_cause",
            "tickets",
        ),
        Section(
            "resolution", "rates", _l("Resolution and escalation"), "bars", "measure", "percent"
        ),
        Section("resolution", "escalation_by_tier", _l("Escalation per tier")),
        Section("resolution", "avoidable_escalations", _l("Avoidable escalations")),
        Section("csat", "distribution", _l("Satisfaction ratings"), "bars", "rating", "tickets"),
        Section("csat", "comments", _l("Comments with the ratings")),
        Section("agents", "agents", _l("Workload per agent"), "bars", "agent", "assigned"),
    ),
    "knowledge": (
        Section("content-gaps", "gaps", _l("Content gaps"), "bars", "query", "searches"),
        Section("searches", "top", _l("Top searches"), "bars", "query", "searches"),
        Section(
            "searches", "no_results", _l("Searches without results"), "bars", "query", "no_results"
        ),
        Section("deflection", "funnel", _l("Deflection funnel"), "bars", "stage", "searches"),
        Section("deflection", "by_query", _l("Deflection per query")),
        Section("deflection", "by_article", _l("Deflection per article")),
        Section("articles", "most_viewed", _l("Most viewed articles"), "bars", "article", "views"),
        Section("articles", "most_helpful", _l("Most helpful articles")),
        Section("articles", "least_helpful", _l("Least helpful articles")),
        Section(
            "articles",
            "resolved_most",
            _l("Articles that resolved most tickets"),
            "bars",
            "article",
            "tickets",
        ),
        Section("articles", "stale", _l("Stale articles")),
        Section("articles", "flagged", _l("Flagged articles")),
    ),
    "me": (
        Section("agents", "agents", _l("My figures")),
        Section(
            "volume", "over_time", _l("My tickets opened per day"), "line", "period", "tickets"
        ),
        Section(
            "volume", "by_priority", _l("My tickets by priority"), "bars", "priority", "tickets"
        ),
        Section("csat", "distribution", _l("My ratings"), "bars", "rating", "tickets"),
        Section("csat", "comments", _l("Comments on my tickets")),
    ),
}

TITLES = {
    "service": _l("Help desk report"),
    "knowledge": _l("Knowledge base report"),
    "me": _l("My week"),
}

TOTALS: dict[str, LazyString] = {
    "tickets": _l("Tickets opened"),
    "backlog": _l("Open now (backlog)"),
    "compliance_percent": _l("Service-level compliance %"),
    "breached_tickets": _l("Tickets with a breach"),
    "resolved": _l("Resolved"),
    "resolution_percent": _l("Resolution rate %"),
    "first_contact_percent": _l("First-contact resolution %"),
    "reopen_percent": _l("Reopen rate %"),
    "avoidable_escalations": _l("Avoidable escalations"),
    "rated": _l("Ratings"),
    "average": _l("Average rating (1 to 5)"),
    "response_percent": _l("Rated of resolved %"),
    "unassigned": _l("Unassigned"),
    "searches": _l("Searches"),
    "groups": _l("Different queries"),
    "no_results": _l("Searches without results"),
    "followed_by_ticket": _l("Searches followed by a ticket"),
    "gaps": _l("Content gaps"),
    "deflected": _l("Deflected searches"),
    "self_service_percent": _l("Self-service rate %"),
    "views": _l("Article views"),
    "votes": _l("Votes"),
    "stale": _l("Stale"),
    "flagged": _l("Flagged"),
}
# Totals that only make sense once SLAs exist: shown as "not available" until then.
SLA_TOTALS = ("compliance_percent", "breached_tickets")
SLA_TABLES = ("compliance", "breaches_by_root_cause")


def _filter_problem(error: BadFilter) -> str:
    if error.field in ("from", "to"):
        return str(
            _(
                "Write dates as YYYY-MM-DD, the first one first, at most %(days)d days.",
                days=MAX_DAYS,
            )
        )
    if error.field == "agent":
        return str(_("The agent is given by their number."))
    if error.field == "hours":
        return str(_("Hours are a whole number from 1 to %(max)d.", max=MAX_HOURS))
    if error.field in ("channel", "priority", "language"):
        return str(_("Choose one of the listed values."))
    return str(_("Give at most 100 printable characters."))


def _params(dashboard: str, now: dt.datetime, timezone: str) -> dict[str, str]:
    """The query's filter values; "my week" defaults to the last seven days."""
    params = {k: v for k, v in request.args.items() if k in PARAMETERS}
    if dashboard == "me" and not params.get("from") and not params.get("to"):
        today = site_today(now, timezone)
        params["from"] = (today - dt.timedelta(days=MY_WEEK_DAYS - 1)).isoformat()
    return params


def _cell(column: str, value: object) -> str:
    if value is None:
        return str(_("not available"))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, float):
        return f"{value:g}"
    return value_name(column, value)


def _chart(section: Section, found: Table, rtl: bool) -> BarChart | LineChart | None:
    if section.chart is None or not found.rows:
        return None
    records = found.records()
    items = [
        (
            _cell(section.label, r.get(section.label)),
            r.get(section.value),
            _cell(section.value, r.get(section.value)),
        )
        for r in records
    ]
    if section.chart == "line":
        return line_chart(items, rtl=rtl)
    return bar_chart(items, rtl=rtl)


def _views(
    dashboard: str, reports: dict[str, Report], wanted: ReportFilter
) -> list[dict[str, Any]]:
    rtl = direction(ui_lang()) == "rtl"
    out: list[dict[str, Any]] = []
    for section in SECTIONS[dashboard]:
        found = reports[section.report]
        data = found.table(section.table)
        available = not (section.table in SLA_TABLES and not found.totals.get("sla_available"))
        out.append(
            {
                "section": section,
                "id": f"{section.report}-{section.table}",
                "table": data,
                "headers": [column_name(c) for c in data.columns],
                "rows": [
                    [_cell(c, v) for c, v in zip(data.columns, row, strict=True)]
                    for row in data.rows
                ],
                "records": data.records(),
                "chart": _chart(section, data, rtl) if available else None,
                "available": available,
                "csv": url_for(
                    "api.report_csv",
                    report_name=section.report,
                    **{"table": section.table, **wanted.as_params()},  # type: ignore[arg-type]
                ),
            }
        )
    return out


def _totals(dashboard: str, reports: dict[str, Report]) -> list[tuple[str, str]]:
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for name in dict.fromkeys(s.report for s in SECTIONS[dashboard]):
        found = reports[name]
        for key, value in found.totals.items():
            if key not in TOTALS or key in seen:
                continue
            seen.add(key)
            if key in SLA_TOTALS and not found.totals.get("sla_available"):
                value = None
            out.append((str(TOTALS[key]), _cell(key, value)))
    return out


def _dashboard(dashboard: str) -> Any:
    wired = services()
    timezone = wired.settings.tickets.timezone
    now = utcnow()
    viewer = current_account()
    if not may_see_dashboard(viewer, dashboard):
        abort(403)  # the service checks again below; this spares the filter's parsing
    params = _params(dashboard, now, timezone)
    problem: tuple[str, str] | None = None
    reports: dict[str, Report] = {}
    wanted: ReportFilter | None = None
    try:
        wanted = report_filter(params, now=now, timezone=timezone)
        with transaction(wired.sessions) as session:
            reports = run_dashboard(session, viewer, dashboard, wanted, timezone=timezone, now=now)
    except BadFilter as error:
        problem = (error.field, _filter_problem(error))
    except ReportUnauthorized:
        return unauthorized_response()
    except ReportForbidden:
        abort(403)
    sections = _views(dashboard, reports, reports[next(iter(reports))].filter) if reports else []
    return (
        render_template(
            "reports/dashboard.html",
            dashboard=dashboard,
            title=TITLES[dashboard],
            params=params,
            problem=problem,
            wanted=wanted,
            reports=reports,
            sections=sections,
            totals=_totals(dashboard, reports) if reports else [],
            channels=CHANNELS,
            priorities=PRIORITIES,
            languages=LANGUAGES,
            may_draft=dashboard == "knowledge" and may_start_gap_drafts(viewer),
            form=GapDraftForm(),
        ),
        400 if problem else 200,
    )


@bp.get("/service")
@login_required
def service() -> Any:
    return _dashboard("service")


@bp.get("/knowledge")
@login_required
def knowledge() -> Any:
    return _dashboard("knowledge")


@bp.get("/me")
@login_required
def me() -> Any:
    return _dashboard("me")


@bp.post("/knowledge/gaps")
@login_required
def gap_draft() -> Any:
    """Start a draft from one content gap; the form carries the gap and the page's filter."""
    form = GapDraftForm()
    if not form.validate():
        abort(400)
    wired = services()
    timezone = wired.settings.tickets.timezone
    now = utcnow()
    params = {k: v for k, v in request.form.items() if k in PARAMETERS}
    back = url_for("reports.knowledge", **params)  # type: ignore[arg-type]
    try:
        wanted = report_filter(params, now=now, timezone=timezone)
        with transaction(wired.sessions) as session:
            made = start_gap_draft(
                session,
                wired.repository,
                wired.settings,
                current_account(),
                request.form.get("group", ""),
                wanted,
                timezone=timezone,
                now=now,
            )
    except BadFilter as error:
        flash(_filter_problem(error), "error")
        return redirect(back, code=303)
    except ReportUnauthorized:
        return unauthorized_response()
    except ReportForbidden:
        abort(403)
    except ReportNotFound:
        abort(404)
    except WorkflowError as error:
        flash(_("The draft could not be started: %(reason)s", reason=str(error)), "error")
        return redirect(back, code=303)
    flash(
        _("A draft was started from this content gap; it goes to review like any other."), "success"
    )
    return redirect(url_for("review.draft", draft_id=made.draft.id), code=303)


@bp.app_template_global("may_see_dashboard")
def may_see_dashboard_global(viewer: Any, dashboard: str) -> bool:
    """For the navigation: whether to link ``dashboard`` (the service decides on the page)."""
    return may_see_dashboard(viewer, dashboard)
