"""Who may read reports: staff only; an agent reads the per-agent figures of themselves.

Knowledge managers and admins read every report for anyone. An agent (without either role)
reads the ticket and knowledge reports too (they are the team's shared figures), but the
``agents`` report only for themselves: asking for another agent is refused, and no agent
filter means their own.
"""

from __future__ import annotations

from dataclasses import replace

from portal.accounts.models import UserInfo
from portal.reports.errors import ReportForbidden, ReportUnauthorized
from portal.reports.filters import ReportFilter

READER_ROLES = frozenset({"agent", "knowledge_manager", "admin"})
MANAGER_ROLES = frozenset({"knowledge_manager", "admin"})
PERSONAL_REPORTS = frozenset({"agents"})


def may_read_reports(viewer: UserInfo | None) -> bool:
    return viewer is not None and viewer.active and bool(viewer.roles & READER_ROLES)


def is_manager(viewer: UserInfo | None) -> bool:
    return viewer is not None and bool(viewer.roles & MANAGER_ROLES)


def check_may_read(viewer: UserInfo | None, name: str, wanted: ReportFilter) -> ReportFilter:
    """The filter ``viewer`` may run report ``name`` with, or ``ReportUnauthorized`` /
    ``ReportForbidden``."""
    if viewer is None:
        raise ReportUnauthorized("sign in to read reports")
    if not may_read_reports(viewer):
        raise ReportForbidden("reports are for staff")
    if name in PERSONAL_REPORTS and not is_manager(viewer):
        if wanted.agent is not None and wanted.agent != viewer.id:
            raise ReportForbidden("an agent reads only their own figures")
        return replace(wanted, agent=viewer.id)
    return wanted


def check_may_read_own_week(viewer: UserInfo | None) -> UserInfo:
    """ "My week" is for whoever works tickets (agents and admins)."""
    if viewer is None:
        raise ReportUnauthorized("sign in to read reports")
    if not viewer.active or not viewer.is_staff:
        raise ReportForbidden("my week is for agents")
    return viewer


# The dashboards (pages) and who reads each: the help desk's figures for admins (the help-desk
# managers), the knowledge base's for knowledge managers and admins, "my week" for whoever
# works tickets. Each lists the reports it shows.
DASHBOARD_ROLES: dict[str, frozenset[str]] = {
    "service": frozenset({"admin"}),
    "knowledge": MANAGER_ROLES,
    "me": frozenset({"agent", "admin"}),
}
DASHBOARD_REPORTS: dict[str, tuple[str, ...]] = {
    "service": ("volume", "service-levels", "resolution", "csat", "agents"),
    "knowledge": ("searches", "content-gaps", "deflection", "articles"),
    "me": ("agents", "volume", "csat"),
}


def may_see_dashboard(viewer: UserInfo | None, dashboard: str) -> bool:
    roles = DASHBOARD_ROLES.get(dashboard, frozenset())
    return viewer is not None and viewer.active and bool(viewer.roles & roles)


def check_dashboard(viewer: UserInfo | None, dashboard: str) -> UserInfo:
    """``viewer`` if they may see ``dashboard``, else ``ReportUnauthorized`` /
    ``ReportForbidden``."""
    if viewer is None:
        raise ReportUnauthorized("sign in to read reports")
    if not may_see_dashboard(viewer, dashboard):
        raise ReportForbidden(f"the {dashboard} dashboard is not for this account")
    return viewer


def may_start_gap_drafts(viewer: UserInfo | None) -> bool:
    """Knowledge managers (and admins) turn a content gap into a draft."""
    return viewer is not None and viewer.active and bool(viewer.roles & MANAGER_ROLES)
