"""Interface language: Flask-Babel with a cookie the language switch sets.

Blueprint ``locale`` (``/locale/<code>``): a plain link, so it works without JavaScript, that
remembers the choice in a cookie and returns the person to the page they were on.
"""

from __future__ import annotations

from flask import Blueprint, Flask, abort, redirect, request, url_for
from flask_babel import Babel
from werkzeug.wrappers import Response

from portal.config import LOCALES, Settings
from portal.web.security import cookie_secure, safe_next

COOKIE = "sanad_locale"
COOKIE_MAX_AGE = 365 * 24 * 3600

bp = Blueprint("locale", __name__, url_prefix="/locale")


def _select_locale_for(settings: Settings) -> str:
    chosen = request.cookies.get(COOKIE, "")
    return chosen if chosen in LOCALES else settings.default_locale


def init_i18n(app: Flask, settings: Settings) -> None:
    app.config["BABEL_DEFAULT_LOCALE"] = settings.default_locale
    # Dates are shown in the site's time zone (SANAD_TIMEZONE), like the business hours.
    app.config["BABEL_DEFAULT_TIMEZONE"] = settings.timezone
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(settings.translations_dir)
    Babel(app, locale_selector=lambda: _select_locale_for(settings))
    app.register_blueprint(bp)


@bp.get("/<code>")
def switch(code: str) -> Response:
    """Remember ``code`` as the interface language and go back to a same-site ``next``."""
    if code not in LOCALES:
        abort(404)
    target = safe_next(request.args.get("next")) or url_for("home.index")
    response = redirect(target, code=303)
    response.set_cookie(
        COOKIE,
        code,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=cookie_secure(),
    )
    return response
