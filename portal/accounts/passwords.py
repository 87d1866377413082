"""The password policy and the Argon2id hasher; the only importer of ``argon2`` and
``zxcvbn``."""

from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Iterable

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

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

# zxcvbn's estimate of the guesses an attacker who knows the usual patterns needs, as a power
# of ten. Its own "score 3" starts at 10^8, which lets "Summer2026!!" through; 10^10 holds
# for months against an offline attack on Argon2id and still passes three or four unrelated
# words ("amber-Dune-ferry-72" is about 10^16).
MIN_GUESSES_LOG10 = 10.0
# zxcvbn's work grows quickly with length; a password this long is judged by its start (and
# whatever follows only makes it stronger).
ESTIMATE_LENGTH = 72

# The pattern zxcvbn found that the hint names, in the order of the hints' importance.
_HINTS = (
    ("sequence", "weak_sequence", "Avoid sequences like abc or 123."),
    ("spatial", "weak_keyboard", "Avoid keyboard patterns like qwerty or 1q2w3e."),
    ("repeat", "weak_repeat", "Avoid repeated characters and words."),
    ("date", "weak_date", "Avoid dates and years."),
    ("dictionary", "weak_words", "Avoid common words, names and well-known passwords."),
)
WEAK = (
    "This password is easy to guess. Add another word or two: "
    "a few unrelated words make a strong password."
)


def check_password(
    password: str, email: str, settings: AccountSettings, user_inputs: Iterable[str] = ()
) -> tuple[PasswordProblem, ...]:
    """Every rule ``password`` breaks, in a fixed order; empty when it is acceptable.

    The strength estimate comes last and only when every other rule holds: their messages
    already say what to change. ``user_inputs`` (the person's name) count as guessable words.
    """
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
    if not problems:
        problems.extend(_strength(password, [email, local, *user_inputs]))
    return tuple(problems)


def _strength(password: str, user_inputs: list[str]) -> list[PasswordProblem]:
    """``weak`` plus one hint naming the pattern that made it guessable, or nothing."""
    words = [w for text in user_inputs for w in text.replace("@", " ").replace(".", " ").split()]
    estimate = zxcvbn(password[:ESTIMATE_LENGTH], user_inputs=words, max_length=ESTIMATE_LENGTH)
    if float(estimate["guesses_log10"]) >= MIN_GUESSES_LOG10:
        return []
    found = {match.get("pattern") for match in estimate["sequence"]}
    problems = [PasswordProblem("weak", WEAK)]
    for pattern, code, message in _HINTS:
        if pattern in found:
            problems.append(PasswordProblem(code, message))
            break
    return problems


def enforce_password_policy(
    password: str,
    email: str,
    settings: AccountSettings,
    field: str = "password",
    user_inputs: Iterable[str] = (),
) -> None:
    """Raise ``PasswordRejected`` listing every broken rule."""
    problems = check_password(password, email, settings, user_inputs)
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
