"""Accounts in the web layer: who is signed in (``session``), access rules (``access``), the
account pages (``views`` and ``tokens``: blueprint ``auth`` under ``/auth``), the account mails
(``mail``) and ``GET /api/v1/me`` (``api``)."""

from portal.web.auth import tokens as _token_views  # noqa: F401  (registers its routes on bp)
from portal.web.auth.api import bp as api_bp
from portal.web.auth.session import init_auth
from portal.web.auth.views import bp

__all__ = ["api_bp", "bp", "init_auth"]
