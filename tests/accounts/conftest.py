"""Fixtures for account tests; tests/tickets imports them too.

``run(fn, ...)`` calls a service inside one transaction, as a view would.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.models import UserInfo
from portal.accounts.services import create_user
from portal.config import AccountSettings
from portal.db import make_engine, make_session_factory, transaction

T = TypeVar("T")
PASSWORD = "correct-Horse-battery-9"
Run = Callable[..., Any]


@pytest.fixture
def account_settings() -> AccountSettings:
    """Production rules with a cheap Argon2id cost, so hundreds of hashes stay fast."""
    return AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def run(sessions: sessionmaker[Session]) -> Run:
    """Call ``fn(session, *args, **kwargs)`` in its own transaction and return its result."""

    def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with transaction(sessions) as session:
            return fn(session, *args, **kwargs)

    return call


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def make_user(
    run: Run, account_settings: AccountSettings, now: dt.datetime
) -> Callable[..., UserInfo]:
    """Create a user with ``role`` (or ``roles``); agents default to tier 1, team support."""
    numbers = itertools.count(1)

    def make(
        role: str = "requester",
        *,
        roles: tuple[str, ...] | None = None,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        lang: str = "en",
        tier: int | None = None,
        teams: tuple[str, ...] = (),
    ) -> UserInfo:
        number = next(numbers)
        user: UserInfo = run(
            create_user,
            account_settings,
            email=email or f"{role}{number}@example.com",
            name=name or f"{role.title()} {number}",
            password=password,
            roles=roles or (role,),
            lang=lang,
            tier=tier,
            teams=teams,
            now=now,
        )
        return user

    return make
