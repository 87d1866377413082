"""What the ticket pages, the agent pages and the ticket API share: the article checks, the
trail conversion, the sign-in answer for tickets and the kept text of refused forms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask import Blueprint, session
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from portal.kb.rendering import render_message
from portal.search.models import ArticleEntry
from portal.tickets.errors import LoginRequired
from portal.tickets.values import SelfServiceTrail, TrailSearch, TrailView
from portal.web import trail as web_trail
from portal.web.auth.access import unauthorized_response
from portal.web.context import services


def article_exists(article_id: str) -> bool:
    """Whether a published article has this id (in any language), so links never dangle."""
    return services().search.get_entry(article_id) is not None


def article_by_id_or_title(text: str | None, reader_lang: str | None = None) -> str:
    """The id of the article ``text`` names: its id, or its whole title as someone typed it
    without the title picker's help (no JavaScript); anything else is returned as it is, for
    the ticket service to refuse as an unknown article."""
    text = (text or "").strip()
    if not text or article_exists(text):
        return text
    wanted = " ".join(text.casefold().split())
    for entry in services().search.suggest(
        text, limit=10, visibility="internal", reader_lang=reader_lang
    ):
        if " ".join(entry.title.casefold().split()) == wanted:
            return entry.id
    return text


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


def _login_required(_error: LoginRequired) -> ResponseReturnValue | BaseResponse:
    return unauthorized_response()


def message_html(text: str) -> Markup:
    """A message's Markdown as sanitized HTML (the knowledge base's allow-list, images shown as
    links), so the article links agents insert are links and nobody's markup can run."""
    return Markup(render_message(text))  # noqa: S704  (sanitized by portal.kb.rendering)


def init_ticket_errors(bp: Blueprint) -> None:
    """The one ticket error that needs the sign-in pages (the others are in ``web.errors``),
    and the filter that shows messages."""
    bp.app_errorhandler(LoginRequired)(_login_required)
    bp.add_app_template_filter(message_html, "message_html")


# What a refused form held waits in the session for the ticket page, so a refusal never loses
# the text: per ticket, per form (``reply``, ``escalate``, ``resolve``...), its text fields.
TYPED = "typed_on_tickets"
KEPT_TICKETS = 5
KEPT_CHARS = 20_000


def keep_typed(reference: str, form: str, values: dict[str, str]) -> None:
    """Keep the text fields of a refused ``form`` on ``reference`` for the next page."""
    kept = dict(session.get(TYPED) or {})
    forms = dict(kept.pop(reference, None) or {})
    forms[form] = {name: str(value or "")[:KEPT_CHARS] for name, value in values.items()}
    kept[reference] = forms
    session[TYPED] = dict(list(kept.items())[-KEPT_TICKETS:])


def pop_typed(reference: str) -> dict[str, dict[str, str]]:
    """The kept text of refused forms on ``reference``, once (form → field → text)."""
    kept = dict(session.get(TYPED) or {})
    forms = kept.pop(reference, None)
    if forms is not None:
        session[TYPED] = kept
    return {
        str(form): {str(k): str(v) for k, v in fields.items()}
        for form, fields in (forms or {}).items()
        if isinstance(fields, dict)
    }
