"""The reports' exceptions: the web layer maps them to 400, 401, 403 and 404."""

from __future__ import annotations


class ReportError(Exception):
    """Base of every refusal from ``portal.reports``."""


class BadFilter(ReportError):
    """A filter value that cannot be understood; ``field`` names the query parameter."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ReportNotFound(ReportError):
    """No report (or no table of a report) by that name."""


class ReportUnauthorized(ReportError):
    """Nobody is signed in."""


class ReportForbidden(ReportError):
    """Signed in, but reports are for staff, and an agent reads only their own figures."""
