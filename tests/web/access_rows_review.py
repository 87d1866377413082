"""Access rows of the review pages (``/review``): knowledge managers and admins everything,
trainers their workshop guides (so not the history of an ordinary article), others 403."""

from __future__ import annotations

from typing import Any

from tests.web.access_common import LOGIN

EDITORS_PAGE = (LOGIN, 403, 403, 200, 200, 200)
NO_SUCH_DRAFT = (LOGIN, 403, 403, 404, 404, 404)
ARTICLE_PAGE = (LOGIN, 403, 403, 200, 403, 200)  # reset-password is not a workshop guide

ROWS: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {
    ("review.queue", "GET"): (EDITORS_PAGE, None),
    ("review.new_draft", "GET"): (EDITORS_PAGE, None),
    ("review.create_draft", "POST"): ((LOGIN, 403, 403, 400, 400, 400), {}),
    ("review.preview", "POST"): (EDITORS_PAGE, {}),
    ("review.draft", "GET"): (NO_SUCH_DRAFT, None),
    ("review.save", "POST"): (NO_SUCH_DRAFT, {}),
    ("review.submit", "POST"): (NO_SUCH_DRAFT, {}),
    ("review.approve", "POST"): (NO_SUCH_DRAFT, {}),
    ("review.request_changes", "POST"): (NO_SUCH_DRAFT, {}),
    ("review.discard", "POST"): (NO_SUCH_DRAFT, {}),
    ("review.history", "GET"): (ARTICLE_PAGE, None),
    ("review.diff", "GET"): (ARTICLE_PAGE, None),
    # An empty form is refused with a message on the history page.
    ("review.restore", "POST"): ((LOGIN, 403, 403, 303, 403, 303), {}),
    ("review.archive", "POST"): ((LOGIN, 403, 403, 303, 403, 303), {}),
}

ARGUMENTS = {"draft_id": "no-such-draft"}
