"""Accounts use cases against a real database (SQLite, or PostgreSQL on the second pass)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.accounts.errors import (
    InvalidCredentials,
    InvalidToken,
    PasswordRejected,
    RegistrationClosed,
    UserNotFound,
    ValidationError,
)
from portal.accounts.models import ROLES, UserInfo
from portal.accounts.notices import AlreadyRegisteredNotice, Notice, Recipient, WelcomeNotice
from portal.accounts.services import (
    authenticate,
    change_password,
    create_api_token,
    create_user,
    deactivate_user,
    end_sessions,
    ensure_demo_accounts,
    get_user_by_auth_token,
    list_agents,
    list_users,
    reactivate_user,
    register_user,
    request_password_reset,
    reset_password,
    revoke_api_tokens,
    set_roles,
    unlock_user,
    update_profile,
    verify_api_token,
)
from portal.config import AccountSettings, load_settings
from tests.support.accounts import PASSWORD, Run

MakeUser = Callable[..., UserInfo]


def login(
    sessions: sessionmaker[Session],
    settings: AccountSettings,
    email: str,
    password: str,
    now: dt.datetime,
) -> UserInfo:
    return authenticate(sessions, settings, email=email, password=password, now=now)


def test_register_then_log_in_with_any_case_of_the_address(
    run: Run, sessions: sessionmaker[Session], account_settings: AccountSettings, now: dt.datetime
) -> None:
    run(
        register_user,
        account_settings,
        email="  Noura@Example.COM ",
        name="  نورة   العتيبي ",
        password=PASSWORD,
        lang="ar",
        now=now,
    )
    logged = login(sessions, account_settings, "NOURA@example.com", PASSWORD, now)
    assert (logged.email, logged.name, logged.roles) == (
        "noura@example.com",
        "نورة العتيبي",
        {"requester"},
    )
    assert logged.last_login_at == now


def test_registration_rules_name_the_field(
    run: Run, account_settings: AccountSettings, now: dt.datetime, make_user: MakeUser
) -> None:
    make_user(email="taken@example.com")
    cases = [
        ({"email": "not-an-address"}, "email"),
        ({"name": "   "}, "name"),
        ({"lang": "fr"}, "lang"),
        ({"password": "short"}, "password"),
    ]
    for change, field in cases:
        values = {
            "email": "new@example.com",
            "name": "New",
            "password": PASSWORD,
            "lang": "en",
        } | change
        with pytest.raises(ValidationError) as caught:
            run(register_user, account_settings, now=now, **values)
        assert caught.value.field == field
    assert list_users_emails(run) == ["taken@example.com"]


def test_registering_a_taken_address_answers_alike_and_tells_the_owner(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    owner = make_user(email="taken@example.com", name="Owner")
    told: list[Notice] = []

    def notify(session: Session, notice: Notice) -> None:
        told.append(notice)

    values = {"name": "Intruder", "password": "maple-Reed-compass-64", "lang": "en", "now": now}
    taken = run(register_user, account_settings, email="Taken@example.com", notify=notify, **values)
    fresh = run(register_user, account_settings, email="new@example.com", notify=notify, **values)

    assert taken is fresh is None  # nothing in the answer tells the two apart
    assert told == [
        AlreadyRegisteredNotice(to=Recipient("taken@example.com", "Owner", "en")),
        WelcomeNotice(to=Recipient("new@example.com", "Intruder", "en")),
    ]
    # The owner's account is untouched: the intruder's password does not open it.
    with pytest.raises(InvalidCredentials):
        login(sessions, account_settings, owner.email, "maple-Reed-compass-64", now)
    assert login(sessions, account_settings, owner.email, PASSWORD, now).name == "Owner"
    assert sorted(list_users_emails(run)) == ["new@example.com", "taken@example.com"]


def list_users_emails(run: Run) -> list[str]:
    return [u.email for u in run(list_users).users]


def test_registration_can_be_switched_off(run: Run, now: dt.datetime, tmp_path: Path) -> None:
    closed = AccountSettings(registration_enabled=False, argon2_time_cost=1, argon2_memory_cost=8)
    with pytest.raises(RegistrationClosed):
        run(register_user, closed, email="a@example.com", name="A", password=PASSWORD, now=now)
    assert (
        load_settings(
            {"instance_dir": tmp_path}, {"SANAD_REGISTRATION_ENABLED": "false"}
        ).accounts.registration_enabled
        is False
    )


def test_password_must_not_contain_the_address_name(
    run: Run, account_settings: AccountSettings, now: dt.datetime
) -> None:
    with pytest.raises(PasswordRejected) as caught:
        run(
            register_user,
            account_settings,
            email="fatima@example.com",
            name="F",
            password="Fatima-2026-summer",
            now=now,
        )
    assert [p.code for p in caught.value.problems] == ["contains_email"]


def test_unknown_address_and_wrong_password_fail_alike(
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    with pytest.raises(InvalidCredentials) as unknown:
        login(sessions, account_settings, "nobody@example.com", PASSWORD, now)
    with pytest.raises(InvalidCredentials) as wrong:
        login(sessions, account_settings, user.email, "wrong-Horse-battery-9", now)
    with pytest.raises(InvalidCredentials):
        login(sessions, account_settings, "not an address", PASSWORD, now)
    assert type(unknown.value) is type(wrong.value)
    assert str(unknown.value) == str(wrong.value)


def test_an_admin_can_lift_a_lock_before_it_runs_out(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    for _ in range(account_settings.lockout_threshold):
        with pytest.raises(InvalidCredentials):
            login(sessions, account_settings, user.email, "wrong-Horse-battery-9", now)
    # Locked: even the right password is refused, with the same answer as a wrong one.
    with pytest.raises(InvalidCredentials):
        login(sessions, account_settings, user.email, PASSWORD, now)
    locked = run(list_users, query=user.email).users[0]
    assert locked.locked(now)
    assert locked.locked_until == now + account_settings.lockout_duration
    # A lock stops new log-ins only: the session the owner already has goes on.
    assert run(get_user_by_auth_token, user.auth_token) is not None
    run(unlock_user, user.id)
    assert login(sessions, account_settings, user.email, PASSWORD, now).id == user.id


def test_a_success_resets_the_failure_count(
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    for _ in range(3):
        for _ in range(account_settings.lockout_threshold - 1):
            with pytest.raises(InvalidCredentials):
                login(sessions, account_settings, user.email, "wrong-Horse-battery-9", now)
        login(sessions, account_settings, user.email, PASSWORD, now)


def test_logging_out_makes_the_old_session_token_worthless(run: Run, make_user: MakeUser) -> None:
    user = make_user()
    assert run(get_user_by_auth_token, user.auth_token) == user
    run(end_sessions, user.id)
    assert run(get_user_by_auth_token, user.auth_token) is None
    assert run(get_user_by_auth_token, "") is None


def test_changing_the_password_ends_old_sessions_but_keeps_the_new_one(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    with pytest.raises(ValidationError) as wrong:
        run(
            change_password,
            account_settings,
            user.id,
            current_password="nope",
            new_password="amber-Dune-ferry-72",
            now=now,
        )
    assert wrong.value.field == "current_password"
    with pytest.raises(PasswordRejected) as weak:
        run(
            change_password,
            account_settings,
            user.id,
            current_password=PASSWORD,
            new_password="password123",
            now=now,
        )
    assert weak.value.field == "new_password"
    changed = run(
        change_password,
        account_settings,
        user.id,
        current_password=PASSWORD,
        new_password="amber-Dune-ferry-72",
        now=now,
    )
    assert run(get_user_by_auth_token, user.auth_token) is None
    assert run(get_user_by_auth_token, changed.auth_token) is not None
    with pytest.raises(InvalidCredentials):
        login(sessions, account_settings, user.email, PASSWORD, now)
    assert login(sessions, account_settings, user.email, "amber-Dune-ferry-72", now).id == user.id


def test_profile_changes_name_and_language(run: Run, make_user: MakeUser) -> None:
    user = make_user(lang="en")
    updated = run(update_profile, user.id, name="Huda Saleh", lang="ar")
    assert (updated.name, updated.lang, updated.direction) == ("Huda Saleh", "ar", "rtl")
    with pytest.raises(ValidationError) as caught:
        run(update_profile, user.id, name="Huda", lang="de")
    assert caught.value.field == "lang"


def test_password_reset_token_is_single_use_and_expires(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    assert (
        run(request_password_reset, account_settings, email="nobody@example.com", now=now) is None
    )
    request = run(request_password_reset, account_settings, email=user.email.upper(), now=now)
    assert request is not None
    assert request.to.email == user.email
    assert request.expires_at == now + account_settings.reset_token_ttl
    run(
        reset_password,
        account_settings,
        token=request.token,
        new_password="silver-Kite-meadow-26",
        now=now + dt.timedelta(minutes=5),
    )
    assert run(get_user_by_auth_token, user.auth_token) is None
    assert login(sessions, account_settings, user.email, "silver-Kite-meadow-26", now).id == user.id
    with pytest.raises(InvalidToken):
        run(
            reset_password,
            account_settings,
            token=request.token,
            new_password="golden-Falcon-stone-83",
            now=now + dt.timedelta(minutes=6),
        )

    late = run(request_password_reset, account_settings, email=user.email, now=now)
    with pytest.raises(InvalidToken):
        run(
            reset_password,
            account_settings,
            token=late.token,
            new_password="golden-Falcon-stone-83",
            now=now + account_settings.reset_token_ttl,
        )
    with pytest.raises(InvalidToken):
        run(
            reset_password,
            account_settings,
            token="made-up",
            new_password="golden-Falcon-stone-83",
            now=now,
        )


def test_a_weak_new_password_keeps_the_reset_token_usable(
    run: Run, account_settings: AccountSettings, now: dt.datetime, make_user: MakeUser
) -> None:
    user = make_user()
    request = run(request_password_reset, account_settings, email=user.email, now=now)
    with pytest.raises(PasswordRejected):
        run(reset_password, account_settings, token=request.token, new_password="short", now=now)
    run(
        reset_password,
        account_settings,
        token=request.token,
        new_password="cedar-Ink-harbor-58",
        now=now,
    )


def test_deactivated_people_cannot_log_in_reset_or_use_tokens(
    run: Run,
    sessions: sessionmaker[Session],
    account_settings: AccountSettings,
    now: dt.datetime,
    make_user: MakeUser,
) -> None:
    user = make_user()
    token = run(create_api_token, email=user.email, now=now)
    run(deactivate_user, user.id, now=now)
    with pytest.raises(InvalidCredentials):
        login(sessions, account_settings, user.email, PASSWORD, now)
    assert run(request_password_reset, account_settings, email=user.email, now=now) is None
    with pytest.raises(InvalidToken):
        verify_api_token(sessions, token, now=now)
    run(reactivate_user, user.id)
    assert login(sessions, account_settings, user.email, PASSWORD, now).id == user.id
    # Reactivation gives the person back, not the tokens deactivation revoked.
    with pytest.raises(InvalidToken):
        verify_api_token(sessions, token, now=now)


def test_api_tokens_are_stored_hashed_and_can_be_revoked(
    run: Run, sessions: sessionmaker[Session], now: dt.datetime, make_user: MakeUser
) -> None:
    user = make_user("agent")
    token = run(create_api_token, email=user.email, now=now, name="laptop")
    assert token.startswith("sanad_")
    assert verify_api_token(sessions, token, now=now).email == user.email
    with sessions() as session:
        from sqlalchemy import text

        stored = session.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert token not in stored
    for bad in ("", "sanad_wrong", token + "x", token[6:]):
        with pytest.raises(InvalidToken):
            verify_api_token(sessions, bad, now=now)
    assert run(revoke_api_tokens, user.id, now=now) == 1
    with pytest.raises(InvalidToken):
        verify_api_token(sessions, token, now=now)
    with pytest.raises(UserNotFound):
        run(create_api_token, email="nobody@example.com", now=now)


def test_admin_lists_searches_and_changes_roles(
    run: Run, account_settings: AccountSettings, make_user: MakeUser
) -> None:
    requester = make_user(name="Salma Requester")
    make_user("agent", name="Yousef Agent")
    make_user("admin", name="Admin Person")
    page = run(list_users, query="salma")
    assert [u.name for u in page.users] == ["Salma Requester"]
    assert [u.name for u in run(list_users, role="agent").users] == ["Yousef Agent"]
    assert run(list_users, per_page=2).total == 3

    agent = run(
        set_roles,
        account_settings,
        requester.id,
        roles=["requester", "agent"],
        tier=2,
        teams=["Network", "support"],
    )
    assert agent.roles == {"requester", "agent"}
    assert (agent.tier, agent.teams) == (2, {"network", "support"})
    assert [a.name for a in run(list_agents, "network")] == ["Salma Requester"]
    back = run(set_roles, account_settings, requester.id, roles=["requester"])
    assert (back.tier, back.teams) == (None, frozenset())
    for roles, tier, field in (
        (["wizard"], None, "roles"),
        ([], None, "roles"),
        (["agent"], 4, "tier"),
    ):
        with pytest.raises(ValidationError) as caught:
            run(set_roles, account_settings, requester.id, roles=roles, tier=tier)
        assert caught.value.field == field
    with pytest.raises(UserNotFound):
        run(unlock_user, 999_999)


def test_agents_default_to_tier_one_in_the_support_team(
    run: Run, account_settings: AccountSettings, now: dt.datetime
) -> None:
    agent = run(
        create_user,
        account_settings,
        email="a@example.com",
        name="A",
        password=PASSWORD,
        roles=["agent"],
        now=now,
    )
    assert (agent.tier, agent.teams, agent.is_staff) == (1, {"support"}, True)


def test_demo_accounts_cover_every_role_and_log_in_idempotently(
    run: Run, sessions: sessionmaker[Session], account_settings: AccountSettings, now: dt.datetime
) -> None:
    first = run(ensure_demo_accounts, account_settings, now=now)
    second = run(ensure_demo_accounts, account_settings, now=now)
    assert first == second
    roles = {role for row in first for role in row.roles}
    assert roles == set(ROLES)
    assert run(list_users).total == len(first)
    for row in first:
        assert login(sessions, account_settings, row.email, row.password, now).roles == set(
            row.roles
        )
