"""Outcomes shared by the access matrix and the per-feature row files (``access_rows_*.py``)."""

from __future__ import annotations

LOGIN = "login"
ROLES = ("anonymous", "requester", "agent", "knowledge_manager", "trainer", "admin")
ALL_200 = (200,) * 6
# Outcomes in the order of ROLES.
PUBLIC = ALL_200
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
STAFF_PAGE = (LOGIN, 403, 200, 403, 403, 200)
STAFF_ACTION = (LOGIN, 403, 303, 403, 403, 303)  # refused values are flashed on the page
ADMIN_PAGE = (LOGIN, 403, 403, 403, 403, 200)
# The requester owns the ticket; the agent and the admin work its team; the knowledge manager
# and the trainer are strangers to it, and strangers get 404, like a missing ticket.
OWNER_PAGE = (LOGIN, 200, 200, 404, 404, 200)

__all__ = [
    "ADMIN_PAGE",
    "ALL_200",
    "LOGIN",
    "OWNER_PAGE",
    "PUBLIC",
    "ROLES",
    "SIGNED_IN",
    "STAFF_ACTION",
    "STAFF_PAGE",
]
