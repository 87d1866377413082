"""Accounts in the web layer: who is signed in (``session``), access rules (``access``), the
account pages (``views``: blueprint ``auth`` under ``/auth``) and ``GET /api/v1/me`` (``api``)."""

from portal.web.auth.api import bp as api_bp
from portal.web.auth.session import init_auth
from portal.web.auth.views import bp

__all__ = ["api_bp", "bp", "init_auth"]
