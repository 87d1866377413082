"""What can go wrong with tickets; the web layer maps each to an HTTP status or form error."""

from __future__ import annotations


class TicketError(Exception):
    """Base of every tickets error."""


class TicketNotFound(TicketError):
    """No such ticket, or the viewer may not see it: both answer 404, so references cannot be
    probed."""


class TicketForbidden(TicketError):
    """The viewer sees the ticket but may not do this to it (a requester writing an internal
    note, for example): 403."""


class ValidationError(TicketError):
    """A submitted value is unusable; ``field`` names the form/JSON field (400 / form error)."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


class InvalidTransition(TicketError):
    """The ticket's status does not allow this now (reply to a closed ticket, reopen after the
    window): 409."""

    def __init__(self, current: str, wanted: str, message: str = "") -> None:
        super().__init__(message or f"a {current} ticket cannot become {wanted}")
        self.current = current
        self.wanted = wanted


class AttachmentNotFound(TicketError):
    """No such attachment on a ticket the viewer may see (or its file is gone): 404."""


class LoginRequired(TicketError):
    """Visitor tickets are switched off: the person must log in to open one."""


class CannedResponseNotFound(TicketError):
    """No canned response with that id."""


class SavedViewNotFound(TicketError):
    """No saved view with that id among the viewer's own: 404 (another agent's view answers
    exactly like a missing one)."""
