"""Logging in, with temporary locks that grow with repeated failures.

A lock that only an admin can lift lets anyone lock every agent out by guessing. Here a lock
runs out by itself: after ``lockout_threshold`` failures in a row the account waits
``lockout_duration``; each further failure of the same streak doubles the wait, up to
``lockout_max_duration``. The same happens per client address, over every account it tries.

Attempts made while a lock stands are refused without looking at the password and without
counting, so a burst of guesses costs the owner one cool-down, not more, and an attacker gets
one guess per cool-down. Locks stop new log-ins only: sessions and API tokens that exist keep
working, so guessing cannot throw the owner out either.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.errors import InvalidCredentials
from portal.accounts.lookup import user_by_email, user_by_id
from portal.accounts.models import LoginAddressThrottle, User, UserInfo
from portal.accounts.notices import LockNotice, Notifier, Recipient, no_mail
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.config import AccountSettings
from portal.db import transaction

ADDRESS_MAX = 64  # an IPv6 address with a zone fits; anything longer is cut, not refused


def lock_duration(failures: int, threshold: int, settings: AccountSettings) -> dt.timedelta | None:
    """How long the ``failures``-th failure in a row locks for (None: below the threshold)."""
    if failures < threshold:
        return None
    doublings = failures - threshold
    base = settings.lockout_duration
    limit = settings.lockout_max_duration
    # Compare before multiplying: a long streak must not overflow the timedelta.
    if doublings >= 32 or base * (1 << doublings) >= limit:
        return limit
    return base * (1 << doublings)


def authenticate(
    sessions: sessionmaker[Session],
    settings: AccountSettings,
    *,
    email: str,
    password: str,
    now: dt.datetime,
    address: str = "",
    notify: Notifier = no_mail,
) -> UserInfo:
    """Check a log-in; return the user, or raise ``InvalidCredentials`` for every failure
    (unknown address, wrong password, locked or deactivated account alike).

    Runs the KDF in every case, so the answer takes as long whatever the reason. Counts the
    failure against the account and the client ``address``, and commits the count before
    raising. The first lock of a streak asks ``notify`` to tell the owner.
    """
    result: UserInfo | None = None
    with transaction(sessions) as session:
        user = user_by_email(session, email) if "@" in email else None
        client = address[:ADDRESS_MAX]
        matched = verify_password(user.password_hash if user else None, password, settings)
        if _address_locked(session, client, now) or (
            user is not None and user.locked_until is not None and user.locked_until > now
        ):
            pass  # refused, not counted: see the module docstring
        elif user is not None and matched and user.active:
            user.failed_logins = 0
            user.last_failed_login_at = None
            user.locked_at = None
            user.locked_until = None
            user.last_login_at = now
            if user.password_hash and needs_rehash(user.password_hash, settings):
                user.password_hash = hash_password(password, settings)
            result = UserInfo.of(user)
        elif not matched:
            if user is not None:
                _count_account_failure(session, settings, user, now, notify)
            if client:
                _count_address_failure(session, settings, client, now)
    if result is None:
        raise InvalidCredentials("wrong e-mail address or password")
    return result


def unlock_user(session: Session, user_id: int) -> UserInfo:
    """Lift a lock before it runs out (an admin who knows the owner), and forget the streak."""
    user = user_by_id(session, user_id)
    user.locked_at = None
    user.locked_until = None
    user.failed_logins = 0
    user.last_failed_login_at = None
    session.flush()
    return UserInfo.of(user)


def clear_lock(user: User) -> None:
    """Forget failures and lift the lock (a password reset proves the owner is back)."""
    user.failed_logins = 0
    user.last_failed_login_at = None
    user.locked_at = None
    user.locked_until = None


def _streak(failures: Any, last_failure: Any, now: dt.datetime, limit: dt.timedelta) -> Any:
    """SQL for the new streak length: failures older than the longest lock are forgotten, so a
    few typos a month apart never add up to a lock. An SQL expression, not read-modify-write,
    so concurrent failures all count."""
    return case((last_failure < now - limit, 1), else_=failures + 1)


def _count_account_failure(
    session: Session, settings: AccountSettings, user: User, now: dt.datetime, notify: Notifier
) -> None:
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=_streak(
                User.failed_logins, User.last_failed_login_at, now, settings.lockout_max_duration
            ),
            last_failed_login_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(user)
    duration = lock_duration(user.failed_logins, settings.lockout_threshold, settings)
    if duration is None:
        return
    user.locked_at = now
    user.locked_until = now + duration
    if user.failed_logins == settings.lockout_threshold:  # the first lock of this streak
        notify(
            session,
            LockNotice(
                to=Recipient(email=user.email, name=user.name, lang=user.lang),
                until=user.locked_until,
            ),
        )


def _address_locked(session: Session, address: str, now: dt.datetime) -> bool:
    if not address:
        return False
    until = session.scalar(
        select(LoginAddressThrottle.locked_until).where(LoginAddressThrottle.address == address)
    )
    return until is not None and until > now


def _count_address_failure(
    session: Session, settings: AccountSettings, address: str, now: dt.datetime
) -> None:
    throttle = LoginAddressThrottle
    values = {"address": address, "failures": 1, "last_failure_at": now}
    update_to = {
        "failures": _streak(
            throttle.failures, throttle.last_failure_at, now, settings.lockout_max_duration
        ),
        "last_failure_at": now,
    }
    # One statement, so two workers counting the first failure of an address cannot both
    # insert it (PostgreSQL and SQLite both speak ON CONFLICT).
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(throttle).values(values)
        session.execute(pg.on_conflict_do_update(index_elements=["address"], set_=update_to))
    else:
        lite = sqlite.insert(throttle).values(values)
        session.execute(lite.on_conflict_do_update(index_elements=["address"], set_=update_to))
    row = session.scalars(
        select(LoginAddressThrottle)
        .where(LoginAddressThrottle.address == address)
        .execution_options(populate_existing=True)
    ).one()
    duration = lock_duration(row.failures, settings.lockout_address_threshold, settings)
    if duration is not None:
        row.locked_until = now + duration
