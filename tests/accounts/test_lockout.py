"""Temporary log-in locks: guessing costs the owner one cool-down, never an admin's help."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.errors import InvalidCredentials
from portal.accounts.login import authenticate, lock_duration
from portal.accounts.models import UserInfo
from portal.accounts.notices import LockNotice, Notice, Recipient
from portal.accounts.services import get_user, get_user_by_auth_token, reset_password
from portal.accounts.services import request_password_reset as ask_reset
from portal.accounts.tokens import create_api_token, verify_api_token
from portal.config import AccountSettings, ConfigError, load_settings
from tests.support.accounts import PASSWORD, Run

MakeUser = Callable[..., UserInfo]
WRONG = "wrong-Horse-battery-9"
MINUTE = dt.timedelta(minutes=1)


class Mailbox:
    """A notifier that keeps what it was asked to send."""

    def __init__(self) -> None:
        self.notices: list[Notice] = []

    def __call__(self, session: Session, notice: Notice) -> None:
        self.notices.append(notice)


def attempt(
    sessions: sessionmaker[Session],
    settings: AccountSettings,
    email: str,
    password: str,
    now: dt.datetime,
    address: str = "198.51.100.7",
    notify: Mailbox | None = None,
) -> UserInfo | None:
    """One log-in attempt: the user, or None when refused."""
    try:
        return authenticate(
            sessions,
            settings,
            email=email,
            password=password,
            now=now,
            address=address,
            notify=notify or Mailbox(),
        )
    except InvalidCredentials:
        return None


def test_a_guessing_attacker_cannot_lock_the_owner_out_beyond_the_cool_down(
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    owner = make_user()
    # A burst of 200 guesses from one place: five count, the rest hit the lock.
    for _ in range(200):
        assert attempt(sessions, account_settings, owner.email, WRONG, now, "203.0.113.9") is None

    almost = now + account_settings.lockout_duration - dt.timedelta(seconds=1)
    assert attempt(sessions, account_settings, owner.email, PASSWORD, almost, "192.0.2.1") is None
    after = now + account_settings.lockout_duration
    back = attempt(sessions, account_settings, owner.email, PASSWORD, after, "192.0.2.1")
    assert back is not None
    assert back.id == owner.id


def test_each_failure_after_the_threshold_doubles_the_lock_up_to_the_cap(
    sessions: sessionmaker[Session], now: dt.datetime, make_user: MakeUser
) -> None:
    settings = AccountSettings(
        lockout_threshold=3,
        lockout_duration=MINUTE,
        lockout_max_duration=5 * MINUTE,
        argon2_time_cost=1,
        argon2_memory_cost=8,
        argon2_parallelism=1,
    )
    owner = make_user()
    clock = now
    waits = []
    for _ in range(7):
        assert attempt(sessions, settings, owner.email, WRONG, clock) is None
        until = get_user_in(sessions, owner.id).locked_until
        waits.append(None if until is None else until - clock)
        clock = until or clock  # the attacker waits out each lock, then guesses again
    assert waits == [None, None, MINUTE, 2 * MINUTE, 4 * MINUTE, 5 * MINUTE, 5 * MINUTE]
    assert attempt(sessions, settings, owner.email, PASSWORD, clock) is not None
    # The success ends the streak: the next typo starts from zero.
    assert attempt(sessions, settings, owner.email, WRONG, clock) is None
    assert get_user_in(sessions, owner.id).locked_until is None


def get_user_in(sessions: sessionmaker[Session], user_id: int) -> UserInfo:
    with sessions() as session:
        return get_user(session, user_id)


def test_lock_durations_never_overflow() -> None:
    settings = AccountSettings(lockout_duration=MINUTE, lockout_max_duration=60 * MINUTE)
    assert lock_duration(4, 5, settings) is None
    assert lock_duration(5, 5, settings) == MINUTE
    assert lock_duration(10_000_000, 5, settings) == 60 * MINUTE


def test_the_owner_is_told_once_per_lock_streak(
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    owner = make_user(name="Mona", lang="ar")
    mailbox = Mailbox()
    clock = now
    for _ in range(account_settings.lockout_threshold + 3):
        attempt(sessions, account_settings, owner.email, WRONG, clock, notify=mailbox)
        clock += account_settings.lockout_max_duration / 2  # inside the streak, past each lock
    assert mailbox.notices == [
        LockNotice(
            to=Recipient(owner.email, "Mona", "ar"),
            until=now
            + (account_settings.lockout_threshold - 1) * account_settings.lockout_max_duration / 2
            + account_settings.lockout_duration,
        )
    ]


def test_one_address_guessing_many_accounts_is_locked_for_all_of_them(
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    victim = make_user()
    attacker = "203.0.113.50"
    for number in range(account_settings.lockout_address_threshold):
        address = f"user{number}@example.com"
        assert attempt(sessions, account_settings, address, WRONG, now, attacker) is None
    # The attacker's address now waits, even with a right password it may have learned...
    assert attempt(sessions, account_settings, victim.email, PASSWORD, now, attacker) is None
    # ...while the victim, from anywhere else, is not affected.
    assert attempt(sessions, account_settings, victim.email, PASSWORD, now, "192.0.2.1")
    later = now + account_settings.lockout_duration
    assert attempt(sessions, account_settings, victim.email, PASSWORD, later, attacker)


def test_old_failures_are_forgotten(
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    owner = make_user()
    clock = now
    for _ in range(account_settings.lockout_threshold * 3):
        attempt(sessions, account_settings, owner.email, WRONG, clock)
        clock += account_settings.lockout_max_duration + dt.timedelta(seconds=1)
    assert get_user_in(sessions, owner.id).locked_until is None


def test_a_lock_leaves_existing_sessions_and_tokens_working(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    owner = make_user()
    token = run(create_api_token, email=owner.email, now=now)
    for _ in range(account_settings.lockout_threshold):
        attempt(sessions, account_settings, owner.email, WRONG, now)
    assert get_user_in(sessions, owner.id).locked(now)
    assert run(get_user_by_auth_token, owner.auth_token) is not None
    assert verify_api_token(sessions, token, now=now).id == owner.id


def test_a_password_reset_lifts_the_lock(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    owner = make_user()
    for _ in range(account_settings.lockout_threshold):
        attempt(sessions, account_settings, owner.email, WRONG, now)
    notice = run(ask_reset, account_settings, email=owner.email, now=now)
    run(
        reset_password,
        account_settings,
        token=notice.token,
        new_password="golden-Falcon-stone-83",
        now=now,
    )
    assert attempt(sessions, account_settings, owner.email, "golden-Falcon-stone-83", now)


def test_lock_settings_come_from_the_environment(tmp_path: Path) -> None:
    given = {"instance_dir": tmp_path, "secret_key": "x"}
    settings = load_settings(
        given,
        {
            "SANAD_LOCKOUT_THRESHOLD": "3",
            "SANAD_LOCKOUT_MINUTES": "2",
            "SANAD_LOCKOUT_MAX_MINUTES": "30",
            "SANAD_LOCKOUT_ADDRESS_THRESHOLD": "50",
            "SANAD_API_TOKEN_TTL_DAYS": "30",
        },
    ).accounts
    assert settings.lockout_threshold == 3
    assert settings.lockout_duration == 2 * MINUTE
    assert settings.lockout_max_duration == 30 * MINUTE
    assert settings.lockout_address_threshold == 50
    assert settings.api_token_ttl == dt.timedelta(days=30)
    defaults = load_settings(given, {}).accounts
    assert (defaults.lockout_duration, defaults.lockout_max_duration) == (MINUTE, 60 * MINUTE)
    for bad in (
        {"SANAD_LOCKOUT_MINUTES": "0"},
        {"SANAD_API_TOKEN_TTL_DAYS": "99999999"},
    ):
        with pytest.raises(ConfigError):
            load_settings(given, bad)


def test_a_longest_lock_out_below_the_first_is_refused(tmp_path: Path) -> None:
    given = {"instance_dir": tmp_path, "secret_key": "x"}
    for bad in (
        {"SANAD_LOCKOUT_MINUTES": "30", "SANAD_LOCKOUT_MAX_MINUTES": "10"},
        {"SANAD_LOCKOUT_MINUTES": "120"},  # above the default longest lock-out of 60
    ):
        with pytest.raises(ConfigError, match=r"SANAD_LOCKOUT_MAX_MINUTES.*SANAD_LOCKOUT_MINUTES"):
            load_settings(given, bad)
    equal = {"SANAD_LOCKOUT_MINUTES": "30", "SANAD_LOCKOUT_MAX_MINUTES": "30"}
    assert load_settings(given, equal).accounts.lockout_max_duration == 30 * MINUTE
