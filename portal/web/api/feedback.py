"""JSON API v1: ``POST /api/v1/articles/<id>/feedback`` ("Was this helpful?"; docs/api.md).

Public: a browser sends its session cookie (and ``X-CSRFToken``), an API client its bearer
token. One vote per visitor and article language version; voting again changes it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request

from portal.kb import feedback
from portal.web.api.views import article_url, bp
from portal.web.attention.feedback import VOTE_LIMIT, VOTE_SCOPE, cast_vote, refusal
from portal.web.context import services, ui_lang
from portal.web.forms import BadParameter, parse_lang
from portal.web.limits import limiter


@bp.post("/articles/<article_id>/feedback")
@limiter.shared_limit(VOTE_LIMIT, scope=VOTE_SCOPE)
def article_feedback(article_id: str) -> Any:
    lang = parse_lang(request.args, strict=True)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadParameter("the body must be a JSON object (Content-Type: application/json)")
    search = services().search
    if lang:
        entry = search.get_entry(article_id, lang)
    else:
        entry = search.get_entry(article_id, ui_lang()) or search.get_entry(article_id)
    if entry is None:
        abort(404)
    if "helpful" not in data:
        return _invalid("helpful", refusal(feedback.InvalidVote("helpful", "")))
    try:
        vote = cast_vote(entry.id, entry.lang, data.get("helpful"), data.get("reason"))
    except feedback.InvalidVote as error:
        return _invalid(error.field, refusal(error))
    body: dict[str, Any] = {
        "id": entry.id,
        "lang": entry.lang,
        "url": article_url(entry),
        "helpful": vote.helpful,
        "reason": vote.reason,
        "changed": vote.changed,
    }
    return jsonify(body)


def _invalid(field: str, message: str) -> tuple[Response, int]:
    body = {"error": {"status": 422, "message": message, "field": field, "code": "invalid"}}
    return jsonify(body), 422
