"""The password policy and the Argon2id hasher; the only importer of ``argon2``."""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from portal.accounts.errors import PasswordProblem, PasswordRejected
from portal.config import AccountSettings

# Passwords long enough to pass the length rule that still top breach lists (compared without
# case, spaces or trailing digits/punctuation, so "Password1234!" counts as "password").
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "passw0rd",
        "password1",
        "password123",
        "passwordpassword",
        "qwerty",
        "qwertyuiop",
        "qwertyuiopasdf",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "abc123",
        "abcdefghijkl",
        "abcdefghijklmnop",
        "iloveyou",
        "administrator",
        "admin",
        "welcome",
        "letmein",
        "changeme",
        "trustno1",
        "football",
        "baseball",
        "superman",
        "sunshine",
        "princess",
        "starwars",
        "whatever",
        "monkey",
        "dragon",
        "master",
        "liverpool",
        "chelsea",
        "computer",
        "internet",
        "helpdesk",
        "support",
        "sanad",
        "p@ssw0rd",
        "p@ssword",
        "aaaaaaaaaaaa",
        "asdfghjkl",
        "zxcvbnm",
        "",
    }
)
_STRIP_TAIL = "0123456789!@#$%^&*()_+-=.,?~ "
MAX_PASSWORD_LENGTH = 1024  # long enough for any passphrase, short enough to bound KDF work


def check_password(
    password: str, email: str, settings: AccountSettings
) -> tuple[PasswordProblem, ...]:
    """Every rule ``password`` breaks, in a fixed order; empty when it is acceptable."""
    problems: list[PasswordProblem] = []
    if len(password) < settings.password_min_length:
        problems.append(
            PasswordProblem(
                "too_short",
                f"Use at least {settings.password_min_length} characters.",
            )
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(
            PasswordProblem("too_long", f"Use at most {MAX_PASSWORD_LENGTH} characters.")
        )
    folded = password.casefold().replace(" ", "")
    core = folded.rstrip(_STRIP_TAIL)
    if folded in COMMON_PASSWORDS or core in COMMON_PASSWORDS or len(set(folded)) <= 2:
        problems.append(
            PasswordProblem("common", "This password is too common; choose a less guessable one.")
        )
    local = email.partition("@")[0].casefold()
    if len(local) >= 3 and local in folded:
        problems.append(
            PasswordProblem(
                "contains_email", "Do not include your e-mail address or its name part."
            )
        )
    return tuple(problems)


def enforce_password_policy(
    password: str, email: str, settings: AccountSettings, field: str = "password"
) -> None:
    """Raise ``PasswordRejected`` listing every broken rule."""
    problems = check_password(password, email, settings)
    if problems:
        raise PasswordRejected(problems, field=field)


@functools.lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def hasher_for(settings: AccountSettings) -> PasswordHasher:
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
    )


def hash_password(password: str, settings: AccountSettings) -> str:
    """An Argon2id hash string (salt and parameters included)."""
    return hasher_for(settings).hash(password)


def verify_password(stored: str | None, password: str, settings: AccountSettings) -> bool:
    """True when ``password`` matches ``stored``; with no stored hash, still spends the KDF time
    on a dummy hash so an unknown address answers as slowly as a known one."""
    hasher = hasher_for(settings)
    target = stored if stored else _dummy_hash(settings)
    try:
        matched = hasher.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return matched and stored is not None


def needs_rehash(stored: str, settings: AccountSettings) -> bool:
    """True when ``stored`` was made with weaker parameters than the current settings."""
    try:
        return hasher_for(settings).check_needs_rehash(stored)
    except InvalidHashError:
        return True


@functools.lru_cache(maxsize=8)
def _dummy_for(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash(secrets.token_urlsafe(16))


def _dummy_hash(settings: AccountSettings) -> str:
    return _dummy_for(
        settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
    )


def new_token() -> str:
    """A random, URL-safe secret for reset links, sessions and API tokens."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored for a token: its SHA-256 (tokens are random, so no salt or KDF is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
