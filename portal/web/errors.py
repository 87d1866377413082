"""Domain exceptions and HTTP errors become pages (or JSON under /api/) in this one place.

No input may produce a 5xx: an unexpected exception is logged and answered with a calm 500
page, never a traceback.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from portal.kb.models import ArticleInvalid, KbError
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


def init_errors(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(BadParameter, _bad_parameter)
    app.register_error_handler(KbError, _not_found)
    app.register_error_handler(IndexUnavailable, _unavailable)
    app.register_error_handler(Exception, _unexpected)
