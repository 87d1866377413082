"""Who is signed in: flask-login wired to the accounts services.

The session cookie holds ``UserInfo.auth_token`` (flask-login's *alternative id*), never the
user id: log-out, a password change or reset and deactivation rotate the token, so a copied
old cookie loads nobody. Every request reloads the user, so role changes apply at once.

API requests (``/api/…``) may instead send ``Authorization: Bearer <token>``. Such a request
is authenticated by the token alone (any session cookie is ignored), is exempt from CSRF (a
browser cannot add that header cross-site without CORS, which Sanad does not grant) and never
gets a cookie back.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, current_app, request, session
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response
from flask_babel import lazy_gettext as _l
from flask_login import (  # type: ignore[import-untyped]  # flask-login ships no type hints
    LoginManager,
    UserMixin,
    current_user,
    login_user,
    logout_user,
)
from flask_wtf.csrf import CSRFError

from portal.accounts import services as accounts
from portal.accounts.errors import InvalidToken
from portal.accounts.models import UserInfo
from portal.db import reading, utcnow
from portal.web.context import services
from portal.web.outage import optional
from portal.web.security import cookie_secure

API_PREFIX = "/api/"
FORM_EXPIRED = _l("The form expired. Please try again.")
BEARER = "bearer "


class CurrentUser(UserMixin):  # type: ignore[misc]  # UserMixin is untyped
    """The signed-in person as flask-login sees them: a ``UserInfo`` plus the mixin."""

    def __init__(self, info: UserInfo, *, via_token: bool = False) -> None:
        self.info = info
        self.via_token = via_token

    def get_id(self) -> str:
        # The alternative id: rotating the token signs every copy of the cookie out.
        return self.info.auth_token

    @property
    def is_active(self) -> bool:
        return self.info.active

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def email(self) -> str:
        return self.info.email

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def lang(self) -> str:
        return self.info.lang

    @property
    def roles(self) -> frozenset[str]:
        return self.info.roles

    @property
    def tier(self) -> int | None:
        return self.info.tier

    @property
    def teams(self) -> frozenset[str]:
        return self.info.teams

    def has_role(self, role: str) -> bool:
        return self.info.has_role(role)

    @property
    def is_staff(self) -> bool:
        return self.info.is_staff

    @property
    def is_agent(self) -> bool:
        return self.info.is_agent

    @property
    def is_admin(self) -> bool:
        return self.info.is_admin


def bearer_token(req: Request) -> str | None:
    """The token of an API request's ``Authorization: Bearer`` header, else None."""
    if not req.path.startswith(API_PREFIX):
        return None
    header = req.headers.get("Authorization", "")
    if header[: len(BEARER)].lower() != BEARER:
        return None
    return header[len(BEARER) :].strip()


def is_bearer_request() -> bool:
    """Whether this request authenticates with a bearer token (it then ignores cookies)."""
    return bearer_token(request) is not None


def signed_in_user() -> CurrentUser | None:
    """The ``CurrentUser`` of this request, or None for visitors."""
    user = current_user
    if user is None or not user.is_authenticated:
        return None
    assert isinstance(user, CurrentUser)
    return user


def log_in(info: UserInfo) -> None:
    """Sign ``info`` in on this browser. The session is a signed cookie with no server-side id
    to fix, so what it holds (the self-service trail) is kept."""
    login_user(CurrentUser(info))


def log_out() -> None:
    """Forget the person on this browser (the caller also rotates the token: ``end_sessions``)."""
    logout_user()
    session.clear()


def replace_session_user(info: UserInfo) -> None:
    """Keep this browser signed in after the auth token rotated (password change)."""
    login_user(CurrentUser(info))


def _load_from_session(auth_token: str) -> CurrentUser | None:
    if is_bearer_request():
        return None  # a bearer request is the token's owner, whatever cookie came along
    # Public pages carry on without the database (the person is seen as a visitor for this
    # request); protected ones answer 503 (``unauthorized_response`` checks database_down).
    info = optional(lambda: _user_by_token(auth_token), None)
    return CurrentUser(info) if info is not None else None


def _user_by_token(auth_token: str) -> UserInfo | None:
    with reading(services().sessions) as db:
        return accounts.get_user_by_auth_token(db, auth_token)


def _load_from_request(req: Request) -> CurrentUser | None:
    token = bearer_token(req)
    if not token:
        return None
    try:
        info = optional(
            lambda: accounts.verify_api_token(services().sessions, token, now=utcnow()), None
        )
    except InvalidToken:
        return None
    return CurrentUser(info, via_token=True) if info is not None else None


def _csrf_unless_bearer() -> None:
    """Flask-WTF's check, skipped for bearer-token API calls (see the module docstring)."""
    if is_bearer_request():
        return
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        current_app.extensions["csrf"].protect(apply_exemptions=True)


class _SessionInterface(SecureCookieSessionInterface):
    """The usual signed-cookie session, except that bearer requests never get a cookie and
    the cookie is ``Secure`` whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        # Secure over HTTPS (direct or via the trusted proxy) even when the setting is off.
        return cookie_secure()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if is_bearer_request():
            return
        super().save_session(app, session, response)


def _csrf_failed(error: CSRFError) -> tuple[Any, int]:
    """An expired or missing form token (often: logged out in another tab) says so plainly."""
    from portal.web.errors import error_response

    if request.path.startswith(API_PREFIX):
        return error_response(400)
    return error_response(400, str(FORM_EXPIRED))


def _unauthorized() -> Any:
    from portal.web.auth.access import unauthorized_response

    return unauthorized_response()


def init_auth(app: Flask) -> None:
    """flask-login, the bearer loader and CSRF that respects it. Call after ``CSRFProtect``."""
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.user_loader(_load_from_session)
    manager.request_loader(_load_from_request)
    manager.unauthorized_handler(_unauthorized)
    manager.init_app(app)
    app.session_interface = _SessionInterface()
    # Flask-WTF's own hook stands down; ours runs the same check unless the call is bearer.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(_csrf_unless_bearer)
    app.register_error_handler(CSRFError, _csrf_failed)
