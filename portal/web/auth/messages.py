"""Translated words for what the accounts services report in English: form errors, roles.

The services name a ``field`` and a stable ``code``; the interface shows these sentences.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.accounts.errors import PasswordRejected, ValidationError
from portal.accounts.passwords import MAX_PASSWORD_LENGTH

ROLE_NAMES: dict[str, LazyString] = {
    "requester": _l("Requester"),
    "agent": _l("Agent"),
    "knowledge_manager": _l("Knowledge manager"),
    "author": _l("Author"),
    "trainer": _l("Trainer"),
    "admin": _l("Administrator"),
}

LOGIN_FAILED = _l("The e-mail address or the password is wrong.")

_BY_CODE: dict[str, LazyString] = {
    "email_invalid": _l("Enter a valid e-mail address, like name@example.com."),
    "taken": _l("An account with this e-mail address already exists."),
    "wrong": _l("The current password is wrong."),
    "choice": _l("Choose one of the offered values."),
    "required": _l("This field is required."),
    "too_long": _l("This is too long."),
    "common": _l("This password is too common; choose a less guessable one."),
    "contains_email": _l("Do not include your e-mail address or its name part."),
    # The strength estimate: what is wrong, then one hint on what to avoid.
    "weak": _l(
        "This password is easy to guess. Add another word or two: "
        "a few unrelated words make a strong password."
    ),
    "weak_sequence": _l("Avoid sequences like abc or 123."),
    "weak_keyboard": _l("Avoid keyboard patterns like qwerty or 1q2w3e."),
    "weak_repeat": _l("Avoid repeated characters and words."),
    "weak_date": _l("Avoid dates and years."),
    "weak_words": _l("Avoid common words, names and well-known passwords."),
}

_BY_FIELD_CODE: dict[tuple[str, str], LazyString] = {
    ("name", "required"): _l("Enter your name."),
    ("name", "too_long"): _l("Use at most 200 characters."),
    ("roles", "required"): _l("Give the person at least one role."),
    ("tier", "choice"): _l("The tier is 1, 2 or 3."),
    ("teams", "too_long"): _l("A team name has at most 60 characters."),
    ("lifetime", "choice"): _l("Choose one of the offered lifetimes."),
}


def role_name(role: str) -> str:
    return str(ROLE_NAMES[role]) if role in ROLE_NAMES else role


def _password_problem(code: str, min_length: int) -> str:
    if code == "too_short":
        return str(_l("Use at least %(num)d characters.", num=min_length))
    if code == "too_long":
        return str(_l("Use at most %(num)d characters.", num=MAX_PASSWORD_LENGTH))
    return str(_BY_CODE.get(code, _l("This password cannot be used.")))


def error_messages(error: ValidationError, min_password_length: int) -> list[str]:
    """The sentences to show under ``error.field``."""
    if isinstance(error, PasswordRejected):
        return [_password_problem(p.code, min_password_length) for p in error.problems]
    text = _BY_FIELD_CODE.get((error.field, error.code)) or _BY_CODE.get(error.code)
    return [str(text) if text is not None else error.message]
