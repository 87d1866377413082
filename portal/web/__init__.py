"""The web layer: the only importer of flask, flask_login and wtforms.

CONTRACT: ``init_app(app, services)`` registers Babel, CSRF, security headers, error handlers
and every blueprint (owned by portal.web).
"""

from __future__ import annotations

from flask import Flask

from portal import Services


def init_app(app: Flask, services: Services) -> None:
    """Configure ``app`` and register every blueprint."""
    app.config["SECRET_KEY"] = services.settings.secret_key
