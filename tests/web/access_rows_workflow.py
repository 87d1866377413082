"""Access rows of the draft API (``/api/v1/drafts``) and article history.

Knowledge managers, admins, authors and trainers reach the draft endpoints (the service then
limits trainers to workshop guides); everyone else gets 403. Empty bodies are refused by
validation (422) before anything is written; the draft in the URL does not exist (404).
"""

from __future__ import annotations

from typing import Any

from tests.web.access_common import LOGIN, PUBLIC

INVALID = (LOGIN, 403, 403, 422, 422, 422)
NO_SUCH_DRAFT = (LOGIN, 403, 403, 404, 404, 404)

ROWS: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {
    ("api.create_draft", "POST"): (INVALID, ("json", {})),
    ("api.get_draft", "GET"): (NO_SUCH_DRAFT, None),
    ("api.save_draft", "PUT"): (INVALID, ("json", {})),
    ("api.submit_draft", "POST"): (NO_SUCH_DRAFT, ("json", {})),
    ("api.approve_draft", "POST"): (NO_SUCH_DRAFT, ("json", {})),
    ("api.request_changes", "POST"): (INVALID, ("json", {})),
    # reset-password is a published public article of the sample knowledge base.
    ("api.article_history", "GET"): (PUBLIC, None),
}
