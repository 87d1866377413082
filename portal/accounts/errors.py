"""What can go wrong in accounts; the web layer maps each to a form error or HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


class AccountsError(Exception):
    """Base of every accounts error."""


class ValidationError(AccountsError):
    """A value the person typed is unusable; ``field`` names the form/JSON field."""

    def __init__(self, field: str, message: str, code: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code


@dataclass(frozen=True)
class PasswordProblem:
    """One broken rule of the password policy: a stable code and an English message."""

    code: str
    message: str


class PasswordRejected(ValidationError):
    """The new password breaks one or more rules; ``problems`` lists each, in rule order."""

    def __init__(self, problems: tuple[PasswordProblem, ...], field: str = "password") -> None:
        super().__init__(field, " ".join(p.message for p in problems), problems[0].code)
        self.problems = problems


class InvalidCredentials(AccountsError):
    """Log-in refused. Deliberately the same for unknown address, wrong password, locked or
    deactivated account, so the response reveals nothing about who has an account."""


class InvalidToken(AccountsError):
    """A reset or API token is unknown, expired, used or revoked (never says which)."""


class UserNotFound(AccountsError):
    """No user with that id or e-mail address (admin and CLI operations only)."""


class RegistrationClosed(AccountsError):
    """Self-registration is switched off (``SANAD_REGISTRATION_ENABLED=false``)."""
