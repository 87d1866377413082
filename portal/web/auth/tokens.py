"""The profile's API tokens and "sign out everywhere" (blueprint ``auth``, under ``/auth``).

People create, see and revoke their own tokens here; the services decide whose token is
whose (``portal.accounts.tokens``), these views parse the form and render the profile.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.accounts import services as accounts
from portal.accounts import tokens as api_tokens
from portal.accounts.errors import InvalidToken, UserNotFound, ValidationError
from portal.config import MAX_API_TOKEN_DAYS
from portal.db import transaction, utcnow
from portal.web.auth.access import current_account, login_required
from portal.web.auth.forms import SignOutEverywhereForm, TokenRevokeForm
from portal.web.auth.session import replace_session_user
from portal.web.auth.views import Page, attach_error, bp, new_token_form, profile_page
from portal.web.context import services
from portal.web.params import whole_number


@bp.post("/tokens")
@login_required
def create_token() -> Page:
    """Make a token and show it once, on this answer only (never in a redirect or cookie)."""
    account = current_account()
    assert account is not None
    settings = services().settings.accounts
    form = new_token_form(submitted=True)
    if form.validate_on_submit():
        days = whole_number(form.days.data, 1, MAX_API_TOKEN_DAYS) or settings.api_token_ttl.days
        try:
            with transaction(services().sessions) as session:
                made = api_tokens.issue_api_token(
                    session,
                    user_id=account.id,
                    now=utcnow(),
                    name=form.name.data,
                    lifetime=dt.timedelta(days=days),
                )
        except ValidationError as error:
            attach_error(form, error, {"lifetime": "days"})
        except UserNotFound:
            abort(404)
        else:
            return profile_page(new_token=made.token)
    return profile_page(token_form=form, status=400)


@bp.post("/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Response:
    account = current_account()
    assert account is not None
    if not TokenRevokeForm().validate_on_submit():
        abort(400)
    try:
        with transaction(services().sessions) as session:
            api_tokens.revoke_api_token(
                session, user_id=account.id, token_id=token_id, now=utcnow()
            )
    except InvalidToken:
        abort(404)  # someone else's token, or one already revoked: nothing to show
    flash(_("The token is revoked. Scripts that use it are refused from now on."))
    return redirect(url_for("auth.profile"), code=303)


@bp.post("/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """End every other session and revoke every API token; this browser stays signed in."""
    account = current_account()
    assert account is not None
    if not SignOutEverywhereForm().validate_on_submit():
        abort(400)
    with transaction(services().sessions) as session:
        info = accounts.sign_out_everywhere(session, account.id, now=utcnow())
    replace_session_user(info)
    flash(_("You were signed out everywhere else, and your API tokens were revoked."))
    return redirect(url_for("auth.profile"), code=303)
