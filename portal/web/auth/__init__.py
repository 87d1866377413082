"""Accounts in the web layer: who is signed in (``session``), access rules (``access``)."""

from portal.web.auth.session import init_auth

__all__ = ["init_auth"]
