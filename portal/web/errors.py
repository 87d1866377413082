"""Domain exceptions and HTTP errors become pages (or JSON under /api/) in this one place.

No input may produce a 5xx: an unexpected exception is logged and answered with a calm 500
page, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from portal.kb.draft_model import (
    DraftNotFound,
    InvalidDraft,
    NotAllowed,
    StaleBase,
    WorkflowError,
)
from portal.kb.models import ArticleInvalid, KbError, UnsafePath
from portal.search.models import IndexUnavailable
from portal.web.forms import BadParameter

log = logging.getLogger(__name__)

API_PREFIX = "/api/"

TITLES = {
    400: _l("Bad request"),
    403: _l("Not allowed"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Too large"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Temporarily unavailable"),
}

MESSAGES = {
    400: _l("The request could not be understood. Check the address and try again."),
    403: _l("You are not allowed to open this page."),
    404: _l("We could not find this page. It may have moved, or the address may be mistyped."),
    405: _l("This address does not accept that kind of request."),
    413: _l("What you sent is too large."),
    429: _l("You have made many requests in a short time. Wait a moment and try again."),
    500: _l("An unexpected error happened on our side. Please try again in a moment."),
    503: _l("Search is being prepared. Please try again in a moment."),
}


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(status: int, detail: str | None = None) -> tuple[Response | str, int]:
    """The JSON or HTML answer for ``status``; ``detail`` overrides the generic message."""
    message = detail or str(MESSAGES.get(status, MESSAGES[500 if status >= 500 else 400]))
    if _wants_json():
        return jsonify({"error": {"status": status, "message": message}}), status
    title = str(TITLES.get(status, TITLES[500 if status >= 500 else 400]))
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _http_error(error: HTTPException) -> tuple[Response | str, int]:
    status = error.code or 500
    # Werkzeug's own descriptions are English developer text; pages show translated ones.
    return error_response(status)


def _bad_parameter(error: BadParameter) -> tuple[Response | str, int]:
    return error_response(400, str(error) if _wants_json() else None)


def _not_found(error: KbError) -> tuple[Response | str, int]:
    # A broken or unsafe article file is the editors' problem; readers see "not found".
    if isinstance(error, ArticleInvalid):
        log.warning("article file cannot be shown: %s", error)
    return error_response(404)


def _unavailable(error: IndexUnavailable) -> tuple[Response | str, int]:
    log.error("search index unavailable: %s", error)
    return error_response(503)


def _unexpected(error: Exception) -> tuple[Response | str, int]:
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=error)
    return error_response(500)


# --- knowledge base and editorial errors (portal.kb, portal.editorial) ----------------------
# One map from the workflow's exception types to HTTP: the draft pages and the draft API get
# the same status for the same refusal. Most specific type first. The API adds ``code`` (and
# ``current`` for a stale base, ``field``/``fields`` for invalid input); pages show the
# message in the reader's language, or put field errors on the form (``kb_field_message``).

KB_STATUS: tuple[tuple[type[WorkflowError], int, str | None], ...] = (
    (InvalidDraft, 422, None),
    (DraftNotFound, 404, None),  # also ArticleGone: like a missing draft, nothing is revealed
    (NotAllowed, 403, None),
    (StaleBase, 409, "stale_base"),
    (WorkflowError, 409, "state"),
)

# The workflow speaks English; what it says to people is shown in their language.
KB_SAID = {
    "You may not write this kind of article.": _l("You may not write this kind of article."),
    "You may not edit this draft.": _l("You may not edit this draft."),
    "You may not submit this draft.": _l("You may not send this draft for review."),
    "You may not discard this draft.": _l("You may not discard this draft."),
    "Only a knowledge manager can review drafts.": _l(
        "Only a knowledge manager can review drafts."
    ),
    "Only a knowledge manager can approve drafts.": _l(
        "Only a knowledge manager can approve drafts."
    ),
    "You cannot approve your own change: another reviewer must.": _l(
        "You cannot approve your own change: another reviewer must."
    ),
    "You changed this draft since its last review: another reviewer must approve it.": _l(
        "You changed this draft since its last review: another reviewer must approve it."
    ),
    "The draft changed since you reviewed it: look at it again.": _l(
        "The draft changed since you reviewed it: look at it again."
    ),
    "Submit the draft for review before approving it.": _l(
        "Send the draft for review before approving it."
    ),
    "This draft is not in review.": _l("This draft is not in review."),
    "This draft is already in review.": _l("This draft is already in review."),
    "This draft is already published.": _l("This draft is already published."),
    "This draft was discarded.": _l("This draft was discarded."),
    "A title is required.": _l("This field is required."),
    "The article needs some text.": _l("The article needs some text."),
    "Use letters, digits and '-' only.": _l("Use Latin letters, digits and '-' only."),
    "Each tag must be a word or phrase on one line.": _l(
        "Each tag must be a word or phrase on one line."
    ),
    "Not a valid article id.": _l("Use Latin letters, digits and '-' only."),
    "Say what should change.": _l("Say what should change."),
}


def kb_field_message(message: str) -> str:
    """A workflow message (an error's text or one field's) in the interface language when
    we know it, else as it is."""
    known = KB_SAID.get(message)
    return str(known) if known is not None else message


def kb_message(error: WorkflowError) -> str:
    """What a page says for a workflow refusal."""
    return kb_field_message(str(error))


def kb_status(error: WorkflowError) -> tuple[int, str | None]:
    """The HTTP status and API ``code`` of a workflow refusal."""
    for kind, status, code in KB_STATUS:
        if isinstance(error, kind):
            return status, code
    return 409, "state"  # pragma: no cover - WorkflowError itself is the last row


def kb_json(error: WorkflowError) -> tuple[Response, int]:
    """The API's JSON answer for a workflow refusal (docs/api.md, "Drafts and review")."""
    status, code = kb_status(error)
    extra: dict[str, Any] = {}
    if isinstance(error, InvalidDraft):
        extra = {"field": next(iter(error.errors), None), "fields": error.errors}
    elif code is not None:
        extra = {"code": code}
        if isinstance(error, StaleBase):
            extra["current"] = error.current
    return jsonify({"error": {"status": status, "message": str(error), **extra}}), status


def _workflow_error(error: WorkflowError) -> tuple[Response | str, int]:
    if _wants_json():
        return kb_json(error)
    status, _code = kb_status(error)
    # Refusals to open something get the generic page; a step that failed says why.
    return error_response(status, kb_message(error) if status not in (403, 404) else None)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def draft_api(view: Callable[_P, _R]) -> Callable[_P, _R | tuple[Response, int]]:
    """For the draft API's writes, the repository's own refusals: an unsafe path is a field
    error (422) and git refusing a change is a conflict to retry (409), not a missing page."""

    @wraps(view)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R | tuple[Response, int]:
        try:
            return view(*args, **kwargs)
        except WorkflowError:
            raise  # the map above answers
        except UnsafePath as unsafe:
            body = {"status": 422, "message": str(unsafe), "field": "path"}
            body["fields"] = {"path": str(unsafe)}
            return jsonify({"error": body}), 422
        except KbError as error:
            current_app.logger.warning("draft API: %s", error)
            message = "The articles repository refused the change: try again."
            return jsonify({"error": {"status": 409, "message": message}}), 409

    return wrapper


# --- end of the knowledge base and editorial errors -------------------------------------------


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(WorkflowError, _workflow_error)
    app.register_error_handler(KbError, _not_found)
    app.register_error_handler(IndexUnavailable, _unavailable)
    app.register_error_handler(Exception, _unexpected)
