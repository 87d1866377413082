"""What the ticket pages, the agent pages and the ticket API share: the article
checks, the trail conversion and the one place ticket errors become HTTP answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask import Blueprint, current_app, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from portal.kb.rendering import render_message
from portal.search.models import ArticleEntry
from portal.tickets.errors import (
    AttachmentNotFound,
    InvalidTransition,
    TicketForbidden,
    TicketNotFound,
    ValidationError,
)
from portal.tickets.services import CannedResponseNotFound, LoginRequired
from portal.tickets.values import SelfServiceTrail, TrailSearch, TrailView
from portal.web import trail as web_trail
from portal.web.auth.access import unauthorized_response
from portal.web.context import services
from portal.web.errors import API_PREFIX, error_response


def article_exists(article_id: str) -> bool:
    """Whether a published article has this id (in any language), so links never dangle."""
    return services().search.get_entry(article_id) is not None


def find_article(article_id: str, lang: str | None = None) -> ArticleEntry | None:
    """The article in ``lang`` if it exists there, else in any language."""
    search = services().search
    return (search.get_entry(article_id, lang) if lang else None) or search.get_entry(article_id)


def _when(value: str) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def session_trail(
    keep_views: Iterable[str] | None = None, keep_searches: Iterable[str] | None = None
) -> SelfServiceTrail:
    """The session trail as the tickets service takes it, keeping only the views and searches
    named (``None`` keeps everything): the person pruned the rest on the form."""
    trail = web_trail.current_trail()
    views_kept = None if keep_views is None else set(keep_views)
    searches_kept = None if keep_searches is None else set(keep_searches)
    views = []
    for view in trail.views:
        if views_kept is not None and view.key not in views_kept:
            continue
        lang, _, article_id = view.key.partition("/")
        if not article_id:
            continue
        views.append(TrailView(article_id, lang, view.title, _when(view.at)))
    searches = [
        TrailSearch(s.query, s.hits, _when(s.at))
        for s in trail.searches
        if searches_kept is None or s.query in searches_kept
    ]
    return SelfServiceTrail(searches=tuple(searches), views=tuple(views))


def _is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _file_message(code: str) -> str:
    if code == "empty":
        return str(_("The file is empty."))
    if code == "too_large":
        limit = services().settings.tickets.attachment_max_bytes // (1024 * 1024) or 1
        return str(_("A file may be at most %(num)d MB.", num=limit))
    if code == "too_many":
        return str(_("This ticket already has as many files as it can take."))
    return str(_("This type of file is not accepted."))


def form_message(error: ValidationError) -> str:
    """The tickets service's English refusal as a sentence in the interface language: it names
    a ``field`` and a stable ``code``, pages show this (the API keeps the English message)."""
    if error.field == "file":
        return _file_message(error.code)
    if error.code == "email_invalid" or error.field in ("visitor_email", "requester_email"):
        return str(_("Enter a valid e-mail address, like name@example.com."))
    if error.field == "visitor_name" and error.code == "required":
        return str(_("Enter your name."))
    if error.code == "required":
        return str(_("This field is required."))
    if error.code == "too_long":
        return str(_("This text is too long."))
    return str(_("Choose one of the offered values."))


def validation_response(error: ValidationError, status: int = 422) -> ResponseReturnValue:
    """400/422 JSON naming the field, for the API (pages show form errors instead)."""
    if not _is_api():
        return error_response(400, form_message(error))
    body = {
        "error": {
            "status": status,
            "message": error.message,
            "field": error.field,
            "code": error.code,
        }
    }
    return current_app.json.response(body), status


def _not_found(_error: Exception) -> ResponseReturnValue:
    return error_response(404)


def _forbidden(_error: TicketForbidden) -> ResponseReturnValue:
    return error_response(403)


def _conflict(error: InvalidTransition) -> ResponseReturnValue:
    if _is_api():
        body = {"error": {"status": 409, "message": str(error), "status_now": error.current}}
        return current_app.json.response(body), 409
    return error_response(409, _conflict_message())


def _conflict_message() -> str:
    return str(_("This ticket cannot do that in its current state. Reload the page to see it."))


def _login_required(_error: LoginRequired) -> ResponseReturnValue | BaseResponse:
    return unauthorized_response()


def message_html(text: str) -> Markup:
    """A message's Markdown as sanitized HTML (the knowledge base's allow-list, images shown as
    links), so the article links agents insert are links and nobody's markup can run."""
    return Markup(render_message(text))  # noqa: S704  (sanitized by portal.kb.rendering)


def init_ticket_errors(bp: Blueprint) -> None:
    """Ticket errors raised anywhere (pages, agent pages, the API) become answers here."""
    bp.app_errorhandler(TicketNotFound)(_not_found)
    bp.app_errorhandler(AttachmentNotFound)(_not_found)
    bp.app_errorhandler(CannedResponseNotFound)(_not_found)
    bp.app_errorhandler(TicketForbidden)(_forbidden)
    bp.app_errorhandler(InvalidTransition)(_conflict)
    bp.app_errorhandler(LoginRequired)(_login_required)
    bp.app_errorhandler(ValidationError)(validation_response)
    bp.add_app_template_filter(message_html, "message_html")


# A refused reply waits in the session for the ticket page, so a refusal never loses the text.
REPLY_DRAFTS = "reply_drafts"


def keep_reply_draft(reference: str, body: str) -> None:
    """Keep the text of a refused reply to ``reference`` for the next page (a few at most)."""
    drafts = dict(session.get(REPLY_DRAFTS) or {})
    drafts[reference] = body[:20_000]
    session[REPLY_DRAFTS] = dict(list(drafts.items())[-5:])


def pop_reply_draft(reference: str) -> str:
    """The kept text of a refused reply to ``reference``, once ("" when there is none)."""
    drafts = dict(session.get(REPLY_DRAFTS) or {})
    body = drafts.pop(reference, "")
    if body:
        session[REPLY_DRAFTS] = drafts
    return str(body)
