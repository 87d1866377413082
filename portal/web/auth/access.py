"""Access control for views: who may open a page or call an API route.

Use exactly these, in this order under the route decorator::

    from portal.web.auth.access import current_account, login_required, roles_required

    @bp.get("/tickets/mine")
    @login_required
    def mine() -> str:
        account = current_account()  # UserInfo, never None inside login_required
        ...

    @bp.get("/agent/queue")
    @roles_required("agent", "admin")  # any one of the roles; implies login_required
    def queue() -> str: ...

- ``login_required``: a visitor gets a 303 redirect to the log-in page with a same-site
  ``next`` (pages), or 401 JSON (paths under ``/api/``).
- ``roles_required(*roles)``: like ``login_required`` for visitors; a signed-in person
  without any of ``roles`` gets 403 (page or JSON).
- ``current_account() -> UserInfo | None``: the signed-in person (session cookie, or bearer
  token on ``/api/`` routes), or None for visitors. Reloaded from the database on every
  request, so deactivation, lock-out and role changes apply at once.
- ``signed_in_with_token()``: whether the caller used an API bearer token (no cookie).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from portal.accounts.models import UserInfo
from portal.kb.workflow import Editor
from portal.web.auth.session import API_PREFIX, signed_in_user
from portal.web.errors import database_unavailable, error_response
from portal.web.outage import database_down
from portal.web.security import safe_next

P = ParamSpec("P")
R = TypeVar("R")

LOGIN_ENDPOINT = "auth.login"
SIGN_IN_FIRST = _l("Sign in first: send a session cookie or an Authorization: Bearer token.")


def current_account() -> UserInfo | None:
    """The signed-in person of this request, or None."""
    user = signed_in_user()
    return user.info if user is not None else None


def signed_in_with_token() -> bool:
    user = signed_in_user()
    return user is not None and user.via_token


def unauthorized_response() -> BaseResponse:
    """What a visitor gets from a protected view: 401 JSON for the API, else the log-in page;
    503 when the database could not say who the visitor is."""
    if database_down():
        return database_unavailable()
    if request.path.startswith(API_PREFIX) or LOGIN_ENDPOINT not in current_app.view_functions:
        body, status = error_response(401, str(SIGN_IN_FIRST))
        response = current_app.make_response((body, status))
        if request.path.startswith(API_PREFIX):
            response.headers["WWW-Authenticate"] = 'Bearer realm="sanad"'
        return response
    here = request.full_path if request.query_string else request.path
    target = safe_next(here)
    return redirect(url_for(LOGIN_ENDPOINT, next=target), code=303)


def login_required(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
    """Only signed-in people; visitors go to the log-in page (or get 401 on the API)."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
        if signed_in_user() is None:
            return unauthorized_response()
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R | BaseResponse]]:
    """Only signed-in people holding at least one of ``roles``; others get 403."""
    if not roles:
        raise ValueError("roles_required needs at least one role")

    def decorate(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
            user = signed_in_user()
            if user is None:
                return unauthorized_response()
            if not any(user.has_role(role) for role in roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def current_editor() -> Editor | None:
    """The signed-in person as the knowledge workflow sees them (None when anonymous)."""
    account = current_account()
    if account is None:
        return None
    return Editor(id=account.id, name=account.name, email=account.email, roles=account.roles)
