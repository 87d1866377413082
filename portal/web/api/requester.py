"""JSON API v1, what a requester does on their ticket page once it is resolved:
``POST /api/v1/tickets/<reference>/rate`` ``{"rating": 1-5, "comment"?}``, ``…/confirm`` (no
body) and ``…/reopen`` ``{"reason"}``.

The tickets service decides who may (``actions.check``: 404, 403 or 409 before any field error)
and does the work (``portal.tickets.resolution``), exactly as the ticket page's forms do.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from portal.db import transaction, utcnow
from portal.tickets import resolution
from portal.tickets.errors import ValidationError
from portal.web.api.tickets import ticket_json
from portal.web.api.views import bp
from portal.web.auth.access import current_account, login_required
from portal.web.context import services
from portal.web.forms import BadParameter
from portal.web.tickets import actions


def _payload(optional: bool = False) -> dict[str, Any]:
    if optional and not request.get_data():
        return {}
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadParameter("the body must be a JSON object (Content-Type: application/json)")
    return data


def _text(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, "Must be a string.", "type")
    return value


@bp.post("/tickets/<reference>/rate")
@login_required
def rate(reference: str) -> Response:
    data = _payload()
    with transaction(services().sessions) as session:
        actions.check(session, current_account(), reference, "rate")
        rating = data.get("rating")
        if rating is None:
            raise ValidationError("rating", "This field is required.", "required")
        if isinstance(rating, bool) or not isinstance(rating, int):
            raise ValidationError("rating", "Choose a whole number from 1 to 5.", "type")
        info = resolution.rate_ticket(
            session,
            current_account(),
            reference,
            rating=rating,
            comment=_text(data, "comment"),
            now=utcnow(),
        )
    return jsonify(ticket_json(info, staff=False))  # only the requester rates


@bp.post("/tickets/<reference>/confirm")
@login_required
def confirm(reference: str) -> Response:
    _payload(optional=True)
    with transaction(services().sessions) as session:
        actions.check(session, current_account(), reference, "confirm")
        info = resolution.confirm_resolution(session, current_account(), reference, now=utcnow())
    return jsonify(ticket_json(info, staff=False))  # only the requester confirms


@bp.post("/tickets/<reference>/reopen")
@login_required
def reopen(reference: str) -> Response:
    data = _payload()
    with transaction(services().sessions) as session:
        actions.check(session, current_account(), reference, "reopen")
        info = resolution.reopen_ticket(
            session,
            services().settings.tickets,
            current_account(),
            reference,
            reason=_text(data, "reason"),
            attention_reopens=services().settings.knowledge.attention_reopens,
            now=utcnow(),
        )
    account = current_account()
    return jsonify(ticket_json(info, staff=account is not None and account.is_staff))
