"""Access rows for GET /api/v1/reports/<name> (and ``.csv``): agents, knowledge managers and
admins read reports; requesters and trainers are refused (403); anonymous callers must sign in."""

from __future__ import annotations

from tests.web.access_common import LOGIN

REPORT_READERS = (LOGIN, 403, 200, 200, 403, 200)

ROWS = {
    ("api.report", "GET"): (REPORT_READERS, None),
    ("api.report_csv", "GET"): (REPORT_READERS, None),
}

ARGUMENTS = {"report_name": "volume"}
