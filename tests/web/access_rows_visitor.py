"""Access rows of a visitor's private link (``/tickets/visit/<token>``) and of "send me a new
link" (``/tickets/link``).

The token in the URL is not a real one, so every role gets the ordinary 404: the link is the
only key, whoever is signed in. The link form is public; an empty one is refused (400).
"""

from __future__ import annotations

from typing import Any

from tests.web.access_common import PUBLIC

NOBODY = (404,) * 6

ROWS: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {
    ("tickets.visit", "GET"): (NOBODY, None),
    ("tickets.visit_attachment", "GET"): (NOBODY, None),
    ("tickets.visit_reply", "POST"): (NOBODY, {"body": "hello"}),
    ("tickets.visit_confirm", "POST"): (NOBODY, {}),
    ("tickets.visit_reopen", "POST"): (NOBODY, {"reason": "still broken"}),
    ("tickets.visit_renew", "POST"): (NOBODY, {}),
    ("tickets.link_request", "GET"): (PUBLIC, None),
    ("tickets.link_request", "POST"): ((400,) * 6, {}),
}
