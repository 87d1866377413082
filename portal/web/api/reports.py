"""JSON API v1, reports: ``GET /api/v1/reports/<name>`` (and ``.csv``), staff only.

Filters are query parameters (``from``, ``to``, ``team``, ``agent``, ``category``, ``channel``,
``priority``, ``language``, ``hours``); ``format=csv`` with ``table=<name>`` (default: the
report's first table) answers one table as CSV, formula cells defused.
"""

from __future__ import annotations

from flask import Response, abort, jsonify, request

from portal.db import transaction, utcnow
from portal.reports.data import to_csv
from portal.reports.errors import BadFilter, ReportForbidden, ReportNotFound
from portal.reports.registry import report_filter, run_report
from portal.web.api.views import bp
from portal.web.auth.access import current_account, login_required
from portal.web.context import services
from portal.web.forms import BadParameter


def _answer(name: str, as_csv: bool) -> Response:
    settings = services().settings
    timezone = settings.tickets.timezone
    now = utcnow()
    try:
        wanted = report_filter(request.args, now=now, timezone=timezone)
        with transaction(services().sessions) as session:
            found = run_report(session, current_account(), name, wanted, timezone=timezone, now=now)
        if not as_csv:
            return jsonify(found.as_json())
        chosen = found.table(request.args.get("table") or found.tables[0].name)
    except BadFilter as error:
        raise BadParameter(f"{error.field}: {error.message}") from None
    except ReportForbidden:
        abort(403)
    except ReportNotFound:
        abort(404)
    response = Response(to_csv(chosen), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{found.name}-{chosen.name}.csv"'
    )
    return response


# The argument is ``report_name`` (not ``name``) so that it cannot be mistaken for the other
# routes' ``name`` arguments (jobs) in url_for calls and in the access matrix.
@bp.get("/reports/<report_name>.csv")
@login_required
def report_csv(report_name: str) -> Response:
    return _answer(report_name, True)


@bp.get("/reports/<report_name>")
@login_required
def report(report_name: str) -> Response:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise BadParameter("format must be json or csv")
    return _answer(report_name, fmt == "csv")
