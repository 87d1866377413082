"""Personal API tokens: they expire, record their last use, and die with the password."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.errors import InvalidToken, ValidationError
from portal.accounts.models import UserInfo
from portal.accounts.services import (
    change_password,
    end_sessions,
    request_password_reset,
    reset_password,
    sign_out_everywhere,
)
from portal.accounts.tokens import (
    create_api_token,
    issue_api_token,
    list_api_tokens,
    revoke_api_token,
    verify_api_token,
)
from portal.config import AccountSettings
from tests.support.accounts import PASSWORD, Run

MakeUser = Callable[..., UserInfo]


def works(sessions: sessionmaker[Session], token: str, now: dt.datetime) -> bool:
    try:
        verify_api_token(sessions, token, now=now)
    except InvalidToken:
        return False
    return True


def test_a_token_expires_after_its_lifetime(
    run: Run, sessions: sessionmaker[Session], now: dt.datetime, make_user: MakeUser
) -> None:
    user = make_user()
    default = run(create_api_token, email=user.email, now=now)
    short = run(create_api_token, email=user.email, now=now, lifetime=dt.timedelta(days=7))
    week = now + dt.timedelta(days=7)
    assert works(sessions, short, week - dt.timedelta(seconds=1))
    assert not works(sessions, short, week)
    assert works(sessions, default, week)
    assert not works(sessions, default, now + AccountSettings().api_token_ttl)
    for lifetime in (dt.timedelta(hours=1), dt.timedelta(days=3651)):
        with pytest.raises(ValidationError) as caught:
            run(issue_api_token, user_id=user.id, now=now, lifetime=lifetime)
        assert caught.value.field == "lifetime"


def test_last_use_is_recorded_at_most_once_a_minute(
    run: Run, sessions: sessionmaker[Session], now: dt.datetime, make_user: MakeUser
) -> None:
    user = make_user()
    made = run(issue_api_token, user_id=user.id, now=now, name="  nightly   export ")
    assert (made.info.name, made.info.last_used_at) == ("nightly export", None)
    assert made.info.prefix == made.token[:12]

    def last_used() -> dt.datetime | None:
        return run(list_api_tokens, user.id)[0].last_used_at

    verify_api_token(sessions, made.token, now=now + dt.timedelta(seconds=5))
    assert last_used() == now + dt.timedelta(seconds=5)
    verify_api_token(sessions, made.token, now=now + dt.timedelta(seconds=50))
    assert last_used() == now + dt.timedelta(seconds=5)  # within the minute: no write
    verify_api_token(sessions, made.token, now=now + dt.timedelta(seconds=65))
    assert last_used() == now + dt.timedelta(seconds=65)


def test_people_list_and_revoke_only_their_own_tokens(
    run: Run, sessions: sessionmaker[Session], now: dt.datetime, make_user: MakeUser
) -> None:
    owner, other = make_user(), make_user()
    first = run(issue_api_token, user_id=owner.id, now=now, name="laptop")
    second = run(issue_api_token, user_id=owner.id, now=now + dt.timedelta(hours=1), name="ci")
    theirs = run(issue_api_token, user_id=other.id, now=now, name="theirs")
    assert [t.name for t in run(list_api_tokens, owner.id)] == ["ci", "laptop"]

    with pytest.raises(InvalidToken):
        run(revoke_api_token, user_id=owner.id, token_id=theirs.info.id, now=now)
    assert works(sessions, theirs.token, now)

    run(revoke_api_token, user_id=owner.id, token_id=first.info.id, now=now)
    assert not works(sessions, first.token, now)
    assert works(sessions, second.token, now)
    assert [t.name for t in run(list_api_tokens, owner.id)] == ["ci"]
    with pytest.raises(InvalidToken):  # twice is the same as never
        run(revoke_api_token, user_id=owner.id, token_id=first.info.id, now=now)


def test_tokens_die_with_a_password_change(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    token = run(create_api_token, email=user.email, now=now)
    run(
        change_password,
        account_settings,
        user.id,
        current_password=PASSWORD,
        new_password="silver-Kite-meadow-26",
        now=now,
    )
    assert not works(sessions, token, now)
    assert run(list_api_tokens, user.id) == ()


def test_tokens_die_with_a_password_reset(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    token = run(create_api_token, email=user.email, now=now)
    notice = run(request_password_reset, account_settings, email=user.email, now=now)
    run(
        reset_password,
        account_settings,
        token=notice.token,
        new_password="silver-Kite-meadow-26",
        now=now,
    )
    assert not works(sessions, token, now)


def test_logging_out_keeps_tokens_and_signing_out_everywhere_revokes_them(
    run: Run, sessions: sessionmaker[Session], now: dt.datetime, make_user: MakeUser
) -> None:
    user = make_user()
    token = run(create_api_token, email=user.email, now=now)
    run(end_sessions, user.id)  # "Log out" in one browser: a script's token is not its session
    assert works(sessions, token, now)

    signed_out = run(sign_out_everywhere, user.id, now=now)
    assert not works(sessions, token, now)
    assert signed_out.auth_token != user.auth_token
