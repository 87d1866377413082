"""The web layer: the only importer of flask, flask_login, wtforms, flask_wtf and flask_babel.

CONTRACT: ``build_app(services)`` makes the Flask application ``create_app`` returns, and
``init_app(app, services)`` registers Babel, CSRF, security headers, error handlers and every
blueprint (owned by portal.web).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from flask import Flask, current_app, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import Services
from portal.web import admin, agent, api, auth, health, home, i18n, kb, review, search, tickets
from portal.web.assets import init_assets
from portal.web.attention import bp as attention_bp
from portal.web.attention import feedback_bp
from portal.web.auth import init_auth
from portal.web.context import direction, ui_lang
from portal.web.errors import init_errors
from portal.web.json_bodies import init_json_bodies
from portal.web.labels import (
    LANGUAGE_NAMES,
    channel_name,
    kind_name,
    language_name,
    priority_name,
    status_name,
    team_name,
    team_options,
)
from portal.web.limits import init_limits
from portal.web.nul_free import init_nul_free
from portal.web.outbox import init_outbox
from portal.web.reports import bp as reports_bp
from portal.web.security import init_security
from portal.web.service_levels import bp as service_levels_bp
from portal.web.workshops import bp as workshops_bp

# Room for a form's text fields besides its attachment; bigger bodies get a 413 before a
# view reads them.
FORM_ALLOWANCE = 2 * 1024 * 1024

# What ``portal.create_app`` returns, named here so that ``portal`` itself never imports Flask.
WebApp: TypeAlias = Flask


def build_app(services: Services) -> WebApp:
    """The Flask application over ``services``, stored as ``app.extensions["sanad"]``."""
    settings = services.settings
    app = Flask(
        "portal",
        template_folder=str(settings.templates_dir),
        static_folder=str(settings.static_dir),
        instance_path=str(settings.instance_dir),
    )
    app.extensions["sanad"] = services
    init_app(app, services)
    return app


def init_app(app: Flask, services: Services) -> None:
    """Configure ``app`` and register every blueprint."""
    settings = services.settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_NAME="sanad_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.web.session_cookie_secure,
        MAX_CONTENT_LENGTH=settings.tickets.attachment_max_bytes + FORM_ALLOWANCE,
        TESTING=settings.testing,
    )
    init_nul_free(app)  # no NUL in form fields and query values (PostgreSQL refuses them)
    init_json_bodies(app)  # bounded JSON bodies (Arabic kept readable) and bounded int ids
    if settings.web.trusted_proxies:
        # Client address (rate limits, lock-outs), scheme and host from the proxies we trust.
        hops = settings.web.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    CSRFProtect(app)
    init_auth(app)
    init_outbox(app, services)  # account mail leaves after commit, not inside the request
    init_limits(app, settings.ratelimits.storage_url)
    i18n.init_i18n(app, settings)
    init_security(app)
    init_errors(app)
    init_assets(app, settings.static_dir)
    app.context_processor(_template_context)
    app.add_template_global(_has_endpoint, "has_endpoint")
    app.add_template_global(direction, "direction")
    app.add_template_global(kind_name, "kind_name")
    app.add_template_global(language_name, "language_name")
    app.add_template_global(status_name, "status_label")
    app.add_template_global(priority_name, "priority_label")
    app.add_template_global(channel_name, "channel_label")
    app.add_template_global(team_name, "team_name")
    app.add_template_global(team_options, "team_options")
    app.register_blueprint(health.bp)  # /healthz, /readyz: probes for load balancers
    for blueprint in (home.bp, search.bp, kb.bp, api.bp, tickets.bp, agent.bp):
        app.register_blueprint(blueprint)
    for blueprint in (auth.bp, auth.api_bp, admin.bp):  # accounts: log-in, profile, admin
        app.register_blueprint(blueprint)
    app.register_blueprint(review.bp)  # /review: drafts, review queue, history
    app.register_blueprint(workshops_bp)  # /workshops: sessions of workshop guides
    for blueprint in (attention_bp, feedback_bp):  # /attention: content health; votes
        app.register_blueprint(blueprint)
    app.register_blueprint(service_levels_bp)  # /admin/service-levels: calendars, policies
    app.register_blueprint(reports_bp)  # /reports: dashboards, content gap → draft


def _has_endpoint(name: str) -> bool:
    """Whether a view exists, so templates can link features that later releases add."""
    return name in current_app.view_functions


def _template_context() -> dict[str, Any]:
    lang = ui_lang()
    other = "en" if lang == "ar" else "ar"
    path = request.full_path if request.query_string else request.path
    return {
        "ui_lang": lang,
        "ui_dir": direction(lang),
        "other_lang": other,
        "other_lang_name": LANGUAGE_NAMES[other],
        "language_names": LANGUAGE_NAMES,
        "current_path": path,
    }
