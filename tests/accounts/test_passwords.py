"""The password policy, without a database."""

from __future__ import annotations

import pytest

from portal.accounts.errors import PasswordRejected
from portal.accounts.passwords import (
    check_password,
    enforce_password_policy,
    hash_password,
    verify_password,
)
from portal.config import AccountSettings

SETTINGS = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)


def codes(password: str, email: str = "layla.hassan@example.com") -> list[str]:
    return [p.code for p in check_password(password, email, SETTINGS)]


def test_a_long_uncommon_passphrase_passes() -> None:
    assert codes("quiet-Oasis-river-19") == []
    assert codes("كلمة مرور طويلة جدًا") == []  # Arabic passphrases count characters, not bytes


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("short1!", ["too_short"]),
        ("Password1234!", ["common"]),
        ("qwertyuiop12", ["common"]),
        ("aaaaaaaaaaaaaaa", ["common"]),
        ("my-LAYLA.HASSAN-pass", ["contains_email"]),
        ("admin", ["too_short", "common"]),
    ],
)
def test_each_broken_rule_is_named(password: str, expected: list[str]) -> None:
    assert codes(password) == expected


def test_the_rejection_lists_every_message_under_the_field() -> None:
    with pytest.raises(PasswordRejected) as caught:
        enforce_password_policy("admin", "x@example.com", SETTINGS, field="new_password")
    assert caught.value.field == "new_password"
    assert [p.code for p in caught.value.problems] == ["too_short", "common"]
    assert "at least 12 characters" in caught.value.message


def test_hashes_are_argon2id_salted_and_verify() -> None:
    first = hash_password("quiet-Oasis-river-19", SETTINGS)
    second = hash_password("quiet-Oasis-river-19", SETTINGS)
    assert first.startswith("$argon2id$")
    assert first != second
    assert verify_password(first, "quiet-Oasis-river-19", SETTINGS)
    assert not verify_password(first, "quiet-Oasis-river-18", SETTINGS)
    assert not verify_password(None, "quiet-Oasis-river-19", SETTINGS)
    assert not verify_password("not a hash", "quiet-Oasis-river-19", SETTINGS)


@pytest.mark.parametrize(
    ("password", "hint"),
    [
        ("Summer2026!!", "weak_words"),
        ("letmeinplease", "weak_words"),
        ("abcdef123456", "weak_sequence"),
        ("1q2w3e4r5t6y7u", "weak_words"),
    ],
)
def test_guessable_passwords_are_refused_with_a_hint(password: str, hint: str) -> None:
    """Long enough and on no breach list, yet guessed in minutes: the estimator catches them."""
    assert codes(password) == ["weak", hint]


def test_the_strength_message_says_how_to_do_better() -> None:
    with pytest.raises(PasswordRejected) as caught:
        enforce_password_policy("abcdef123456", "x@example.com", SETTINGS)
    assert "Add another word or two" in caught.value.message
    assert "Avoid sequences like abc or 123." in caught.value.message


def test_the_person_s_own_name_counts_as_guessable() -> None:
    strong_alone = "NadiaKareem2026"
    assert check_password(strong_alone, "x@example.com", SETTINGS) == ()
    problems = check_password(strong_alone, "x@example.com", SETTINGS, ("Nadia Kareem",))
    assert [p.code for p in problems][:1] == ["weak"]


def test_a_very_long_password_is_judged_quickly() -> None:
    import time

    started = time.perf_counter()
    check_password("correct horse battery staple " * 35, "x@example.com", SETTINGS)
    assert time.perf_counter() - started < 1.0
