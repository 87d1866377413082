"""JSON API v1, who is replying to a ticket: the agent page announces that its reply box is in
use and asks who else is replying, so two agents do not answer the same person twice.

``POST /api/v1/tickets/<ref>/presence`` (``{"replying": false}`` to stop) and ``GET`` answer
``{"replying": [{"id", "name"}], "message"}``, the message in the reader's language. Staff who
may work the ticket only (403 for others who may see it, 404 for everyone else).
"""

from __future__ import annotations

from flask import Response, jsonify, request
from flask_babel import ngettext

from portal.db import transaction, utcnow
from portal.tickets import presence
from portal.web.api.views import bp
from portal.web.auth.access import current_account, login_required
from portal.web.context import services, ui_lang
from portal.web.forms import BadParameter


def _answer(repliers: tuple[presence.Replier, ...]) -> Response:
    names = ("، " if ui_lang() == "ar" else ", ").join(r.name for r in repliers)
    message = (
        ngettext(
            "%(names)s is replying to this ticket",
            "%(names)s are replying to this ticket",
            len(repliers),
            names=names,
        )
        if repliers
        else ""
    )
    return jsonify(
        {
            "replying": [{"id": r.id, "name": r.name} for r in repliers],
            "message": message,
            "ttl_seconds": int(presence.PRESENCE_TTL.total_seconds()),
        }
    )


@bp.get("/tickets/<reference>/presence")
@login_required
def get_presence(reference: str) -> Response:
    with transaction(services().sessions) as session:
        repliers = presence.others_replying(session, current_account(), reference, now=utcnow())
    return _answer(repliers)


@bp.post("/tickets/<reference>/presence")
@login_required
def mark_presence(reference: str) -> Response:
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise BadParameter("the body must be a JSON object")
    replying = data.get("replying", True)
    if not isinstance(replying, bool):
        raise BadParameter("replying must be true or false")
    now = utcnow()
    with transaction(services().sessions) as session:
        presence.mark_replying(session, current_account(), reference, now=now, replying=replying)
        repliers = presence.others_replying(session, current_account(), reference, now=now)
    return _answer(repliers)
