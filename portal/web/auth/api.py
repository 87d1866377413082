"""``GET /api/v1/me``: who a session cookie or bearer token belongs to, so integrations can
check a token before they use it."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from portal.web.auth.access import current_account, login_required, signed_in_with_token

bp = Blueprint("auth_api", __name__, url_prefix="/api/v1")


@bp.get("/me")
@login_required
def me() -> Response:
    account = current_account()
    assert account is not None
    return jsonify(
        {
            "id": account.id,
            "email": account.email,
            "name": account.name,
            "lang": account.lang,
            "roles": sorted(account.roles),
            "tier": account.tier,
            "teams": sorted(account.teams),
            "via_token": signed_in_with_token(),
        }
    )
