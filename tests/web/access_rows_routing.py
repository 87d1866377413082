"""Access rows for /admin/teams and /admin/routing: admins only; empty forms are refused
(400); team "no-such-team" and rule 999999 do not exist (404)."""

from __future__ import annotations

from tests.web.access_common import ADMIN_PAGE, LOGIN

REFUSED = (LOGIN, 403, 403, 403, 403, 400)
MISSING = (LOGIN, 403, 403, 403, 403, 404)

ROWS = {
    ("admin.teams_page", "GET"): (ADMIN_PAGE, None),
    ("admin.teams_page", "POST"): (REFUSED, {}),
    ("admin.team_page", "GET"): (MISSING, None),
    ("admin.save_team", "POST"): (MISSING, {}),
    ("admin.save_members", "POST"): (MISSING, {}),
    ("admin.routing_page", "GET"): (ADMIN_PAGE, None),
    ("admin.new_rule", "GET"): (ADMIN_PAGE, None),
    ("admin.new_rule", "POST"): (REFUSED, {}),
    ("admin.rule_page", "GET"): (MISSING, None),
    ("admin.rule_page", "POST"): (MISSING, {}),
    ("admin.rule_action", "POST"): (MISSING, {}),
}

ARGUMENTS = {"key": "no-such-team", "rule_id": 999_999, "verb": "disable"}
