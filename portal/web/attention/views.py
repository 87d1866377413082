"""Knowledge managers' pages: needs attention, votes and reasons, stale translations.

Thin over ``portal.editorial.attention``, ``portal.kb.feedback`` and ``portal.kb.translations``.
Mail to the owners of rows raised during a request (an agent's flag, a reopened ticket) is
sent right after that request's commit by ``_mail_new_rows`` (an ``after_app_request`` hook),
so ticket views need no knowledge of content health; ``sanad attention scan`` sends the rest.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from portal.db import transaction, utcnow
from portal.editorial import attention
from portal.kb import feedback, workflow
from portal.kb.health import AttentionNotFound
from portal.kb.translations import stale_translations, translation_diff
from portal.web.attention.forms import ResolveForm
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services
from portal.web.forms import parse_list
from portal.web.pagination import page_numbers

log = logging.getLogger(__name__)

bp = Blueprint("attention", __name__, url_prefix="/attention")

MANAGERS = ("knowledge_manager", "admin")
PER_PAGE = 20
# Requests after which a new attention row may wait for its mail: an agent's flag and a
# requester's or agent's reopen (portal.tickets raises the row in the same transaction).
RAISING_ENDPOINTS = frozenset({"agent.flag", "tickets.reopen"})


def attention_link() -> str:
    return services().settings.tickets.public_url.rstrip("/") + url_for("attention.index")


def send_owner_mail() -> int:
    """Mail the owners of rows not yet notified (after the commit that raised them)."""
    wired = services()
    return attention.notify_owners(
        wired.sessions, wired.repository, link=attention_link(), now=utcnow
    )


@bp.after_app_request
def _mail_new_rows(response: Any) -> Any:
    raised = request.endpoint in RAISING_ENDPOINTS and request.method == "POST"
    if raised and response.status_code < 400:
        try:
            send_owner_mail()
        except Exception:
            log.exception("attention mail after %s failed; the scan retries", request.endpoint)
    return response


@bp.get("/")
@roles_required(*MANAGERS)
def index() -> str:
    wired = services()
    with transaction(wired.sessions) as session:
        items, page, total = attention.attention_page(
            session, wired.repository, current_account(),
            page=parse_list(request.args, strict=False).page, per_page=PER_PAGE,
        )  # fmt: skip
        promoted = workflow.promoted_open(session)
    return render_template(
        "attention/index.html",
        items=items,
        total=total,
        promoted=promoted,
        page_numbers=page_numbers(page, max(1, -(-total // PER_PAGE))),
        current_page=page,
        page_url=lambda page: url_for("attention.index", page=page),
    )


@bp.post("/<int:attention_id>/resolve")
@roles_required(*MANAGERS)
def resolve(attention_id: int) -> BaseResponse:
    if not ResolveForm().validate():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("attention.index"), code=303)
    try:
        with transaction(services().sessions) as session:
            attention.resolve(session, current_account(), attention_id, now=utcnow())
    except AttentionNotFound:
        abort(404)
    flash(_("Marked as handled."), "success")
    return redirect(url_for("attention.index"), code=303)


@bp.get("/feedback")
@roles_required(*MANAGERS)
def votes() -> str:
    params = parse_list(request.args, strict=False)
    with transaction(services().sessions) as session:
        listing = feedback.list_feedback(session, page=params.page, per_page=PER_PAGE)
    titles = {(a.id, a.lang): a.title for a in services().repository.load_all().articles}
    last_page = max(1, -(-listing.total // PER_PAGE))

    def page_url(page: int) -> str:
        return url_for("attention.votes", page=page)

    return render_template(
        "attention/feedback.html",
        listing=listing,
        titles=titles,
        page_numbers=page_numbers(listing.page, last_page),
        page_url=page_url,
    )


@bp.get("/translations")
@roles_required(*MANAGERS)
def translations() -> str:
    return render_template(
        "attention/translations.html", stale=stale_translations(services().repository)
    )


@bp.get("/translations/<lang>/<article_id>")
@roles_required(*MANAGERS)
def translation(lang: str, article_id: str) -> str:
    repository = services().repository
    found = next(
        (s for s in stale_translations(repository) if (s.lang, s.article_id) == (lang, article_id)),
        None,
    )
    if found is None:
        abort(404)
    return render_template(
        "attention/translation.html", stale=found, diff=translation_diff(repository, found)
    )
