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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from portal.db import OUTAGES, UnstorableText
from portal.kb.draft_model import (
    DraftNotFound,
    InvalidDraft,
    NotAllowed,
    StaleBase,
    WorkflowError,
)
from portal.kb.models import ArticleInvalid, KbError, UnsafePath
from portal.search.models import IndexUnavailable
from portal.tickets.errors import (
    AttachmentNotFound,
    CannedResponseNotFound,
    InvalidTransition,
    SavedViewNotFound,
    TicketForbidden,
    TicketNotFound,
    ValidationError,
)
from portal.web.context import services
from portal.web.forms import BadParameter
from portal.web.json_bodies import MAX_JSON_DEPTH, JSONTooDeep
from portal.web.outage import RETRY_AFTER_SECONDS, note_outage

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

DATABASE_DOWN = _l(
    "Part of the help desk is unavailable for a moment. The knowledge base still works: "
    "search it or browse its articles. Please try again in a minute."
)


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


def _too_deep(_error: JSONTooDeep) -> tuple[Response | str, int]:
    return error_response(400, f"the JSON body is nested more than {MAX_JSON_DEPTH} levels deep")


def _unstorable(_error: UnstorableText) -> tuple[Response | str, int]:
    return error_response(
        400, str(_("The text contains a NUL character, which cannot be stored. Remove it."))
    )


def _not_found(error: KbError) -> tuple[Response | str, int]:
    # A broken or unsafe article file is the editors' problem; readers see "not found".
    if isinstance(error, ArticleInvalid):
        log.warning("article file cannot be shown: %s", error)
    return error_response(404)


def _unavailable(error: IndexUnavailable) -> tuple[Response | str, int]:
    log.error("search index unavailable: %s", error)
    return error_response(503)


def database_unavailable() -> Response:
    """The 503 answer (page or JSON) for a request the database could not serve in time."""
    body, status = error_response(503, str(DATABASE_DOWN))
    response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _outage(error: Exception) -> Response:
    note_outage(error)
    return database_unavailable()


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


# --- ticket errors (portal.tickets) -----------------------------------------------------------
# Raised by the ticket pages, the agent pages and the ticket API alike. A refused value is a
# 422 naming the field and its stable ``code`` for the API; pages put the sentence below on
# the field or in a flash, in the interface language (the service speaks English).

TICKET_SAID = {
    ("body", "required"): _l("Write a message before sending."),
    ("reason", "required"): _l("Write a reason."),
    ("visitor_name", "required"): _l("Enter your name."),
    ("article_ids", "required"): _l("Link at least one article or write a resolution note."),
    ("tier", "max"): _l("The ticket is already at the highest tier."),
    ("root_cause", "root_cause_required"): _l(
        "This ticket missed its service level: describe the root cause to resolve it."
    ),
    ("root_cause.code", "unknown"): _l("Choose a root cause from the list."),
}
TICKET_FIELD_SAID = {
    "rating": _l("Choose a rating from 1 to 5."),
    "status": _l("Choose open, waiting or on hold."),
    "assignee_id": _l("Choose an active agent of the ticket's team."),
    "article_id": _l("There is no published article with this id."),
    "article_ids": _l("There is no published article with this id."),
}
EMAIL_FIELDS = ("visitor_email", "requester_email")


def _file_message(code: str) -> str:
    if code == "empty":
        return str(_("The file is empty."))
    if code == "too_large":
        limit = services().settings.tickets.attachment_max_bytes // (1024 * 1024) or 1
        return str(_("A file may be at most %(num)d MB.", num=limit))
    if code == "too_many":
        return str(_("This ticket already has as many files as it can take."))
    return str(_("This type of file is not accepted."))


def ticket_message(error: ValidationError) -> str:
    """What a page says for the tickets service's refusal of one field (by field and code)."""
    if error.field == "file":
        return str(_("The file was not accepted: %(reason)s", reason=_file_message(error.code)))
    if error.code == "too_long":
        return str(_("This text is too long."))
    if error.code == "email_invalid" or error.field in EMAIL_FIELDS:
        return str(_("Enter a valid e-mail address, like name@example.com."))
    known = TICKET_SAID.get((error.field, error.code))
    if known is None and error.code == "required":
        known = _l("This field is required.")
    if known is None:
        known = TICKET_FIELD_SAID.get(error.field, _l("Choose one of the offered values."))
    return str(known)


def _ticket_invalid(error: ValidationError) -> tuple[Response | str, int]:
    """422 JSON naming the field for the API (its English message); 400 for a page."""
    if not _wants_json():
        return error_response(400, ticket_message(error))
    body = {"status": 422, "message": error.message, "field": error.field, "code": error.code}
    return jsonify({"error": body}), 422


def _ticket_conflict(error: InvalidTransition) -> tuple[Response | str, int]:
    if _wants_json():
        body = {"status": 409, "message": str(error), "status_now": error.current}
        return jsonify({"error": body}), 409
    return error_response(
        409, str(_("This ticket cannot do that in its current state. Reload the page to see it."))
    )


def _ticket_not_found(_error: Exception) -> tuple[Response | str, int]:
    return error_response(404)


def _ticket_forbidden(_error: TicketForbidden) -> tuple[Response | str, int]:
    return error_response(403)


# --- end of the ticket errors -----------------------------------------------------------------


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(JSONTooDeep, _too_deep)
    app.register_error_handler(UnstorableText, _unstorable)
    app.register_error_handler(WorkflowError, _workflow_error)
    app.register_error_handler(KbError, _not_found)
    for missing in (TicketNotFound, AttachmentNotFound, CannedResponseNotFound, SavedViewNotFound):
        app.register_error_handler(missing, _ticket_not_found)
    app.register_error_handler(TicketForbidden, _ticket_forbidden)
    app.register_error_handler(InvalidTransition, _ticket_conflict)
    app.register_error_handler(ValidationError, _ticket_invalid)
    app.register_error_handler(IndexUnavailable, _unavailable)
    for outage in OUTAGES:  # a stalled, refused or locked database: 503, never 500
        app.register_error_handler(outage, _outage)
    app.register_error_handler(Exception, _unexpected)
