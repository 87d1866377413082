"""The reports by name, and the one entry point callers use: ``run_report``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import replace
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.reports import knowledge, service
from portal.reports.access import DASHBOARD_REPORTS, check_dashboard, check_may_read
from portal.reports.context import ReportContext
from portal.reports.data import Report
from portal.reports.errors import ReportNotFound
from portal.reports.filters import ReportFilter, parse_filter

Compute = Callable[[ReportContext, ReportFilter], Report]

REPORTS: Mapping[str, Compute] = {
    "volume": service.volume,
    "service-levels": service.service_levels,
    "resolution": service.resolution,
    "csat": service.csat,
    "agents": service.agents,
    "searches": knowledge.searches,
    "content-gaps": knowledge.content_gaps,
    "deflection": knowledge.deflection,
    "articles": knowledge.articles,
}


def site_today(now: dt.datetime, timezone: str) -> dt.date:
    return now.astimezone(ZoneInfo(timezone)).date()


def report_filter(params: Mapping[str, str], *, now: dt.datetime, timezone: str) -> ReportFilter:
    """The filter of query parameters, the default range ending on the site's today."""
    return parse_filter(params, today=site_today(now, timezone))


def run_report(
    session: Session,
    viewer: UserInfo | None,
    name: str,
    wanted: ReportFilter,
    *,
    timezone: str,
    now: dt.datetime,
) -> Report:
    """Report ``name`` for ``viewer`` (``ReportNotFound``, ``ReportUnauthorized``,
    ``ReportForbidden``). Read-only."""
    compute = REPORTS.get(name)
    if compute is None:
        raise ReportNotFound(f"no report named {name!r}")
    allowed = check_may_read(viewer, name, wanted)
    ctx = ReportContext.load(session, timezone=timezone, now=now)
    return compute(ctx, allowed)


def run_reports(
    session: Session,
    viewer: UserInfo | None,
    names: tuple[str, ...],
    wanted: ReportFilter,
    *,
    timezone: str,
    now: dt.datetime,
) -> dict[str, Report]:
    """Several reports over one calendar (a dashboard), each checked for ``viewer``."""
    for name in names:
        if name not in REPORTS:
            raise ReportNotFound(f"no report named {name!r}")
    allowed = {name: check_may_read(viewer, name, wanted) for name in names}
    ctx = ReportContext.load(session, timezone=timezone, now=now)
    return {name: REPORTS[name](ctx, allowed[name]) for name in names}


def run_dashboard(
    session: Session,
    viewer: UserInfo | None,
    dashboard: str,
    wanted: ReportFilter,
    *,
    timezone: str,
    now: dt.datetime,
) -> dict[str, Report]:
    """The reports of ``dashboard`` (``service``, ``knowledge``, ``me``) for ``viewer``.
    "My week" is always the viewer's own tickets (the agent filter is theirs)."""
    if dashboard not in DASHBOARD_REPORTS:
        raise ReportNotFound(f"no dashboard named {dashboard!r}")
    account = check_dashboard(viewer, dashboard)
    if dashboard == "me":
        wanted = replace(wanted, agent=account.id)
    return run_reports(
        session, viewer, DASHBOARD_REPORTS[dashboard], wanted, timezone=timezone, now=now
    )
