"""JSON API v1, canned responses: the agent ticket page's picker fetches them as you type."""

from __future__ import annotations

from flask import Response, jsonify, request

from portal.db import transaction
from portal.tickets import canned_responses
from portal.web.api.views import bp
from portal.web.auth.access import current_account, login_required
from portal.web.context import services
from portal.web.forms import MAX_PAGE, BadParameter
from portal.web.params import whole_number


@bp.get("/canned-responses")
@login_required
def list_canned_responses() -> Response:
    page = whole_number(request.args.get("page", "1"), 1, MAX_PAGE)
    if page is None:
        raise BadParameter(f"page must be a whole number from 1 to {MAX_PAGE}")
    with transaction(services().sessions) as session:
        found = canned_responses.search_canned_responses(
            session,
            current_account(),
            q=request.args.get("q", ""),
            lang=request.args.get("lang") or None,
            page=page,
        )
    return jsonify(
        {
            "items": [
                {"id": c.id, "title": c.title, "body": c.body, "lang": c.lang} for c in found.items
            ],
            "page": found.page,
            "pages": found.pages,
            "total": found.total,
        }
    )
