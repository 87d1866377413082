"""Access rows of "Promote to article" and the Workshops page.

The matrix's ticket is new (not resolved): staff who may promote it reach the page (200), and
their POST is refused (flashed on the page: 303; the API answers 409). Knowledge managers may
promote any ticket; requesters and trainers get 403. The Workshops page is public.
"""

from __future__ import annotations

from typing import Any

from tests.web.access_common import LOGIN, PUBLIC

ROWS: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {
    ("agent.promote_page", "GET"): ((LOGIN, 403, 200, 200, 403, 200), None),
    ("agent.promote", "POST"): ((LOGIN, 403, 303, 303, 403, 303), {}),
    ("api.promote_ticket_api", "POST"): ((LOGIN, 403, 409, 409, 403, 409), ("json", {})),
    ("workshops.index", "GET"): (PUBLIC, None),
}
