"""Access rows for /admin/service-levels: admins only; empty forms are refused (400), and
removing holiday or override 999999 (none) changes nothing."""

from __future__ import annotations

from tests.web.access_common import ADMIN_PAGE, LOGIN

REFUSED = (LOGIN, 403, 403, 403, 403, 400)
NOTHING_TO_REMOVE = (LOGIN, 403, 403, 403, 403, 303)

ROWS = {
    ("service_levels.index", "GET"): (ADMIN_PAGE, None),
    ("service_levels.week", "POST"): (REFUSED, {}),
    ("service_levels.holiday", "POST"): (REFUSED, {}),
    ("service_levels.override", "POST"): (REFUSED, {}),
    ("service_levels.policy", "POST"): (REFUSED, {}),
    ("service_levels.root_cause", "POST"): (REFUSED, {}),
    ("service_levels.delete_holiday", "POST"): (NOTHING_TO_REMOVE, {}),
    ("service_levels.delete_override", "POST"): (NOTHING_TO_REMOVE, {}),
}

ARGUMENTS = {"holiday_id": 999_999, "override_id": 999_999}
