"""Interface language: Flask-Babel with a cookie the language switch sets.

The language of a request, first found wins:

1. the cookie: an explicit choice (the language switch), or the account's preference written
   at log-in and when the profile is saved;
2. the signed-in account's preference (a session that began before the cookie existed);
3. the browser's ``Accept-Language`` (a visitor's ``en-US`` browser gets English);
4. the site default (``SANAD_DEFAULT_LOCALE``).

Blueprint ``locale`` (``/locale/<code>``): a plain link, so it works without JavaScript, that
remembers the choice in a cookie and returns the person to the page they were on.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, has_request_context, redirect, request, url_for
from flask_babel import Babel
from werkzeug.wrappers import Response

from portal.config import LOCALES, Settings
from portal.web.auth.session import signed_in_user
from portal.web.dates import init_dates
from portal.web.security import cookie_secure, safe_next

COOKIE = "sanad_locale"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("locale", __name__, url_prefix="/locale")


def _select_locale_for(settings: Settings) -> str:
    if not has_request_context():
        return settings.default_locale
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LOCALES:
        return chosen
    user = signed_in_user()
    if user is not None and user.info.lang in LOCALES:
        return user.info.lang
    return request.accept_languages.best_match(LOCALES) or settings.default_locale


def remember_locale(response: Response, code: str) -> Response:
    """Make ``code`` this browser's interface language from the next page on."""
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=cookie_secure(),
    )
    return response


def init_i18n(app: Flask, settings: Settings) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = settings.default_locale
    # Dates are shown in the site's time zone (SANAD_TIMEZONE), like the business hours.
    app.config["BABEL_DEFAULT_TIMEZONE"] = settings.timezone
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(settings.translations_dir)
    Babel(app, locale_selector=lambda: _select_locale_for(settings))
    app.register_blueprint(bp)
    init_dates(app)


@bp.get("/<code>")
def switch(code: str) -> Response:
    """Remember ``code`` as the interface language and go back to a same-site ``next``."""
    if code not in LOCALES:
        abort(404)
    target = safe_next(request.args.get("next")) or url_for("home.index")
    return remember_locale(redirect(target, code=303), code)
