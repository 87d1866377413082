"""JSON API v1, canned responses: the agent ticket page's picker fetches them as you type.

``?ticket=<reference>`` returns them as offered on that ticket: its language first and the
placeholders filled for it, for staff who may work the ticket (404 for one they may not see).
"""

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
    query = request.args.get("q", "")
    reference = request.args.get("ticket", "")
    with transaction(services().sessions) as session:
        if reference:
            # Offered on that ticket: in its language first, placeholders filled for it.
            found = canned_responses.canned_for_ticket(
                session, current_account(), reference, q=query, page=page
            )
        else:
            found = canned_responses.search_canned_responses(
                session,
                current_account(),
                q=query,
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
