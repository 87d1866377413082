"""Access rows for content health (/attention) and the "Was this helpful?" votes."""

from __future__ import annotations

from tests.web.access_common import LOGIN

MANAGER_PAGE = (LOGIN, 403, 403, 200, 403, 200)
MANAGER_MISSING = (LOGIN, 403, 403, 404, 403, 404)

ROWS = {
    ("attention.index", "GET"): (MANAGER_PAGE, None),
    ("attention.votes", "GET"): (MANAGER_PAGE, None),
    ("attention.translations", "GET"): (MANAGER_PAGE, None),
    # Nothing is stale in the test knowledge base, and attention row 999999 does not exist.
    ("attention.translation", "GET"): (MANAGER_MISSING, None),
    ("attention.resolve", "POST"): (MANAGER_MISSING, {}),
    # Public; an empty vote is refused by validation.
    ("feedback.vote", "POST"): ((400,) * 6, {}),
    ("api.article_feedback", "POST"): ((422,) * 6, ("json", {})),
}

ARGUMENTS = {"attention_id": 999_999}
