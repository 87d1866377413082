"""Access rows for GET /api/v1/reports/<name> (and ``.csv``): agents, knowledge managers and
admins read reports; requesters and trainers are refused (403); anonymous callers must sign in.
And the dashboards: /reports/service for admins (the help-desk managers), /reports/knowledge
for knowledge managers and admins, /reports/me for agents and admins; "start a draft" from a
content gap for knowledge managers and admins (an empty form names no gap: 404)."""

from __future__ import annotations

from tests.web.access_common import ADMIN_PAGE, LOGIN, STAFF_PAGE

REPORT_READERS = (LOGIN, 403, 200, 200, 403, 200)
MANAGER_PAGE = (LOGIN, 403, 403, 200, 403, 200)

ROWS = {
    ("api.report", "GET"): (REPORT_READERS, None),
    ("api.report_csv", "GET"): (REPORT_READERS, None),
    ("reports.service", "GET"): (ADMIN_PAGE, None),
    ("reports.knowledge", "GET"): (MANAGER_PAGE, None),
    ("reports.me", "GET"): (STAFF_PAGE, None),
    ("reports.gap_draft", "POST"): ((LOGIN, 403, 403, 404, 403, 404), {}),
}

ARGUMENTS = {"report_name": "volume"}
