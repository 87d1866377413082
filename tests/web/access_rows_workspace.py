"""Access rows for the agent workspace: saved views and bulk actions (staff; an empty form is
refused, a view that is not yours answers like a missing one) and who is replying to a ticket
(staff who may work it; its requester gets 403, strangers 404)."""

from __future__ import annotations

from tests.web.access_common import LOGIN, STAFF_ACTION

PRESENCE = (LOGIN, 403, 200, 404, 404, 200)

ROWS = {
    ("agent.save_view", "POST"): ((LOGIN, 403, 400, 403, 403, 400), {}),
    ("agent.delete_view", "POST"): ((LOGIN, 403, 404, 403, 403, 404), {}),
    ("agent.bulk_action", "POST"): (STAFF_ACTION, {}),
    ("api.get_presence", "GET"): (PRESENCE, None),
    ("api.mark_presence", "POST"): (PRESENCE, ("json", {})),
}

ARGUMENTS = {"view_id": 999_999}
