"""``sanad users create``, ``sanad tokens create`` and the demo accounts of ``sanad serve``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from click.testing import Result
from flask import Flask

from portal.accounts import services as accounts
from portal.accounts.services import DEMO_ACCOUNTS
from portal.accounts.settings import AccountSettings
from portal.cli import demo_enabled, main, prepare

CHEAP_HASHING = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
PASSWORD = "amber-Dune-ferry-72"


@pytest.fixture
def cli_app(app: Flask) -> Flask:
    app.extensions["sanad"] = replace(app.extensions["sanad"], accounts=CHEAP_HASHING)
    return app


def sanad(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, args=list(args))


def test_users_create_makes_an_agent_with_tier_and_teams(cli_app: Flask) -> None:
    result = sanad(
        cli_app,
        "users", "create", "--email", "Khalid@Example.com", "--name", "Khalid",
        "--role", "agent", "--role", "trainer", "--tier", "2", "--team", "network",
        "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "khalid@example.com" in result.output
    services = cli_app.extensions["sanad"]
    with services.sessions() as session:
        info = accounts.find_user_by_email(session, "khalid@example.com")
    assert info.roles == {"agent", "trainer"}
    assert info.tier == 2
    assert info.teams == {"network"}
    authenticated = accounts.authenticate(
        services.sessions, services.accounts,
        email="khalid@example.com", password=PASSWORD, now=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    assert authenticated.id == info.id


def test_users_create_explains_a_refused_password_and_fails(cli_app: Flask) -> None:
    result = sanad(
        cli_app, "users", "create", "--email", "a@example.com", "--name", "A",
        "--password", "short",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "Use at least 12 characters." in result.output


def test_users_create_refuses_a_duplicate_address(cli_app: Flask) -> None:
    args = ("users", "create", "--email", "a@example.com", "--name", "A", "--password", PASSWORD)
    assert sanad(cli_app, *args).exit_code == 0
    again = sanad(cli_app, *args)
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_unknown_role_is_refused_by_the_command_line(cli_app: Flask) -> None:
    result = sanad(
        cli_app, "users", "create", "--email", "a@example.com", "--name", "A",
        "--role", "wizard", "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 2


def test_tokens_create_prints_a_token_that_works_on_the_api(cli_app: Flask) -> None:
    sanad(cli_app, "users", "create", "--email", "bot@example.com", "--name", "Bot",
          "--password", PASSWORD)  # fmt: skip
    result = sanad(cli_app, "tokens", "create", "--email", "bot@example.com")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("sanad_")

    response = cli_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "bot@example.com"


def test_tokens_create_for_an_unknown_address_fails(cli_app: Flask) -> None:
    result = sanad(cli_app, "tokens", "create", "--email", "ghost@example.com")
    assert result.exit_code == 1
    assert "ghost@example.com" in result.output


def test_prepare_creates_and_prints_the_demo_accounts_once(
    cli_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    services = cli_app.extensions["sanad"]
    prepare(services)
    prepare(services)  # a second start leaves them alone

    printed = capsys.readouterr().out
    for email, _name, roles, _tier, _teams, password in DEMO_ACCOUNTS:
        assert email in printed
        assert password in printed
        assert ", ".join(roles) in printed
        with services.sessions() as session:
            assert accounts.find_user_by_email(session, email).roles == frozenset(roles)


def test_prepare_without_demo_creates_no_accounts(
    cli_app: Flask, capsys: pytest.CaptureFixture[str]
) -> None:
    services = cli_app.extensions["sanad"]
    prepare(services, demo=False)
    assert "Demo accounts" not in capsys.readouterr().out
    with services.sessions() as session:
        assert accounts.list_users(session).total == 0


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [(True, None, True), (False, None, False), (True, "0", False), (True, "1", True)],
)
def test_demo_accounts_can_be_switched_off_for_production(
    monkeypatch: pytest.MonkeyPatch, flag: bool, env: str | None, expected: bool
) -> None:
    if env is None:
        monkeypatch.delenv("SANAD_DEMO", raising=False)
    else:
        monkeypatch.setenv("SANAD_DEMO", env)
    assert demo_enabled(flag) is expected
