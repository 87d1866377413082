"""JSON API v1: promote a resolved ticket to a draft article (docs/api.md, "Promote").

``POST /api/v1/tickets/<ref>/promote`` → 201 ``{"draft_id", "url", "similar": [...]}``.
Staff only (agents of the ticket's team, knowledge managers, admins): others get 403, a ticket
the caller may not see 404, a ticket that is not resolved or closed (or already has a draft
in progress) 409.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, url_for

from portal.db import transaction
from portal.editorial.promotion import AlreadyPromoted
from portal.kb.workflow import InvalidDraft, NotAllowed, StaleBase
from portal.search.models import ArticleEntry
from portal.web.api.views import article_url, bp
from portal.web.auth.access import current_editor, roles_required
from portal.web.context import services
from portal.web.errors import error_response
from portal.web.tickets import actions

PROMOTERS = ("agent", "knowledge_manager", "admin")
# Where a created draft is shown, best first: the review page, the drafts API, the ticket.
DRAFT_ENDPOINTS = ("review.draft", "api.draft", "api.get_draft")


def _draft_url(draft_id: str, reference: str) -> str:
    for endpoint in DRAFT_ENDPOINTS:
        if endpoint in current_app.view_functions:
            return url_for(endpoint, draft_id=draft_id)
    return url_for("agent.ticket", reference=reference)


def _similar_json(entry: ArticleEntry) -> dict[str, Any]:
    published = entry.status == "published" and entry.audience == "public"
    return {
        "id": entry.id,
        "lang": entry.lang,
        "title": entry.title,
        "status": entry.status,
        "url": article_url(entry) if published else None,
    }


@bp.post("/tickets/<reference>/promote")
@roles_required(*PROMOTERS)
def promote_ticket_api(reference: str) -> Any:
    editor = current_editor()
    assert editor is not None  # roles_required let only signed-in staff through
    wired = services()
    try:
        with transaction(wired.sessions) as session:
            outcome = actions.promote(session, editor, reference)
    except AlreadyPromoted as error:
        conflict = {
            "error": {
                "status": 409,
                "message": "A draft from this ticket is already in progress.",
                "status_now": error.current,
                "draft_id": error.draft_id,
            }
        }
        return jsonify(conflict), 409
    except NotAllowed as error:
        return error_response(403, str(error))
    except StaleBase as error:
        return error_response(409, str(error))
    except InvalidDraft as error:
        return jsonify(
            {"error": {"status": 422, "message": str(error), "fields": error.errors}}
        ), 422
    body: dict[str, Any] = {
        "draft_id": outcome.draft.id,
        "url": _draft_url(outcome.draft.id, reference),
        "similar": [_similar_json(entry) for entry in outcome.similar],
    }
    response: Response = jsonify(body)
    return response, 201
