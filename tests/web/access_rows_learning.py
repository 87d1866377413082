"""Access rows of what search learned from use (/attention/learned): managers only."""

from __future__ import annotations

from tests.web.access_common import LOGIN

ROWS = {
    ("attention.learned", "GET"): ((LOGIN, 403, 403, 200, 403, 200), None),
    # Association 999999 does not exist.
    ("attention.remove_learned", "POST"): ((LOGIN, 403, 403, 404, 403, 404), {}),
}

ARGUMENTS = {"association_id": 999_999}
