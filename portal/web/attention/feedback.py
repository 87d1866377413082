""" "Was this helpful?" on article pages: the public vote form and the partials' data.

Without JS the form posts and is redirected back to the article (303), which then thanks the
visitor. static/js/feedback.js posts the same form with ``Accept: application/json`` and
thanks in place; after "No" it shows the reason box, whose text updates the same vote.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, redirect, request, session, url_for
from flask_babel import gettext as _

from portal.db import transaction, utcnow
from portal.kb import feedback
from portal.kb.translations import StaleTranslation, translation_status
from portal.web.attention.forms import VoteForm
from portal.web.auth.access import current_account
from portal.web.context import services
from portal.web.limits import limiter
from portal.web.trail import record, visitor_id

feedback_bp = Blueprint("feedback", __name__)

VOTE_LIMIT = "20 per minute; 200 per day"
VOTE_SCOPE = "article-vote"  # one budget for the page's and the API's votes (shared_limit)
VOTES_KEY = "votes"  # the visitor's own votes, newest last: what the article page shows
VOTES_KEPT = 20


def voter() -> str:
    """Who votes: the signed-in account (bearer token included), else this browser's id."""
    account = current_account()
    return f"user:{account.id}" if account is not None else visitor_id()


def public_entry_exists(article_id: str, lang: str) -> bool:
    entry = services().search.get_entry(article_id, lang)
    if entry is None:
        return False
    try:
        article = services().repository.load(entry.path)
    except Exception:  # a broken or vanished file is simply not votable
        return False
    return article.is_public and (article.id, article.lang) == (article_id, lang)


def cast_vote(article_id: str, lang: str, helpful: object, reason: object) -> feedback.VoteView:
    """Record the vote and its ``vote`` event; raises InvalidVote, aborts 404."""
    if not public_entry_exists(article_id, lang):
        abort(404)
    with transaction(services().sessions) as db:
        vote = feedback.record_vote(
            db,
            article_id=article_id,
            lang=lang,
            visitor=voter(),
            helpful=helpful,
            reason=reason,
            now=utcnow(),
        )
    account = current_account()
    record(
        "vote",
        lang=lang,
        article_id=article_id,
        user_id=account.id if account else None,
        data={"helpful": vote.helpful, "reason": vote.reason is not None, "changed": vote.changed},
    )
    remember_vote(f"{lang}/{article_id}", vote)
    return vote


def remember_vote(key: str, vote: feedback.VoteView) -> None:
    if request.blueprint == "api" and VOTES_KEY not in session and current_account():
        return  # API clients with a token keep no cookie
    raw = session.get(VOTES_KEY)
    votes = [v for v in raw if isinstance(v, list) and len(v) == 3] if isinstance(raw, list) else []
    votes = [v for v in votes if v[0] != key]
    votes.append([key, "yes" if vote.helpful else "no", vote.reason is not None])
    session[VOTES_KEY] = votes[-VOTES_KEPT:]


def refusal(error: feedback.InvalidVote) -> str:
    """The vote's problem in the visitor's language."""
    known = {
        "helpful": _("Choose Yes or No."),
        "reason": _("Keep the reason under %(count)d characters.", count=feedback.MAX_REASON),
    }
    return str(known.get(error.field, _("The vote was not recorded.")))


@feedback_bp.post("/articles/<lang>/<article_id>/feedback")
@limiter.shared_limit(VOTE_LIMIT, scope=VOTE_SCOPE)
def vote(lang: str, article_id: str) -> Any:
    form = VoteForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    if not form.validate():  # only the CSRF token can fail here
        abort(400)
    try:
        result = cast_vote(article_id, lang, form.choice(), form.reason.data)
    except feedback.InvalidVote as error:
        if wants_json:
            body = {"status": 400, "message": refusal(error), "field": error.field}
            return jsonify({"error": body}), 400
        abort(400)
    if wants_json:
        return jsonify(
            {
                "helpful": result.helpful,
                "reason": result.reason,
                "message": _("Thank you for your feedback."),
            }
        )
    target = url_for("kb.article", lang=lang, article_id=article_id, _anchor="feedback")
    return redirect(target, code=303)


@feedback_bp.app_template_global()
def feedback_state(lang: str, article_id: str) -> dict[str, Any]:
    """This visitor's vote on the article, from the session: no database read per view."""
    raw = session.get(VOTES_KEY)
    key = f"{lang}/{article_id}"
    for item in raw if isinstance(raw, list) else ():
        if isinstance(item, list) and len(item) == 3 and item[0] == key:
            return {"voted": item[1], "reason_given": bool(item[2])}
    return {"voted": None, "reason_given": False}


@feedback_bp.app_template_global()
def translation_notice(lang: str, article_id: str) -> StaleTranslation | None:
    """Whether the page's language version may be out of date (cached per live commit)."""
    try:
        return translation_status(services().repository, article_id, lang)
    except Exception:  # git trouble must not break the article page
        return None
