"""``sanad users create``, ``sanad tokens create|revoke`` and ``sanad serve``'s demo accounts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from gunicorn.app.base import BaseApplication

from portal.accounts import services as accounts
from portal.accounts.services import DEMO_ACCOUNTS
from portal.cli import demo_enabled, main, prepare
from portal.config import load_settings

CHEAP_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost": 8, "argon2_parallelism": 1}
PASSWORD = "amber-Dune-ferry-72"


@pytest.fixture
def app_overrides(app_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**app_overrides, "accounts": CHEAP_HASHING}


@pytest.fixture
def cli_app(app: Flask) -> Flask:
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
        services.sessions, services.settings.accounts,
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
    prepare(services, demo=True)
    prepare(services, demo=True)  # a second start leaves them alone

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


def serve_without_serving(app: Flask, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """``sanad serve`` up to the point where gunicorn would take over."""
    monkeypatch.setattr(BaseApplication, "run", lambda self: None)
    return sanad(app, "serve", "--port", "0", "--workers", "1", *args)


def test_serve_is_the_production_server_and_creates_no_demo_accounts(
    cli_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = serve_without_serving(cli_app, monkeypatch)
    assert result.exit_code == 0, result.output
    assert "Demo accounts" not in result.output
    with cli_app.extensions["sanad"].sessions() as session:
        assert accounts.list_users(session).total == 0


def test_serve_demo_creates_and_prints_the_demo_accounts(
    cli_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = serve_without_serving(cli_app, monkeypatch, "--demo")
    assert result.exit_code == 0, result.output
    assert "Demo accounts" in result.output
    assert DEMO_ACCOUNTS[0][5] in result.output  # the password to log in with
    # Where the demo's mails are read, and with which account (no SMTP host in tests).
    admin = next(row[0] for row in DEMO_ACCOUNTS if "admin" in row[2])
    mailbox_line = next(line for line in result.output.splitlines() if "/admin/mailbox" in line)
    assert "http://127.0.0.1:0/admin/mailbox" in mailbox_line
    assert admin in mailbox_line
    with cli_app.extensions["sanad"].sessions() as session:
        assert accounts.list_users(session).total == len(DEMO_ACCOUNTS)


@pytest.mark.parametrize(
    ("flag", "env", "expected"),
    [
        (None, None, False),  # production: nothing unless asked
        (None, "1", True),
        (None, "0", False),
        (True, None, True),
        (False, "1", False),  # --no-demo wins over the environment
    ],
)
def test_demo_accounts_only_when_asked(
    tmp_path: Path, flag: bool | None, env: str | None, expected: bool
) -> None:
    environ = {} if env is None else {"SANAD_DEMO": env}
    settings = load_settings({"instance_dir": tmp_path}, environ=environ)
    assert demo_enabled(flag, settings) is expected


# --- tokens revoke ---------------------------------------------------------------------


def test_tokens_revoke_cuts_off_every_token_of_the_account(cli_app: Flask) -> None:
    sanad(cli_app, "users", "create", "--email", "bot@example.com", "--name", "Bot",
          "--password", PASSWORD)  # fmt: skip
    sanad(cli_app, "users", "create", "--email", "other@example.com", "--name", "Other",
          "--password", PASSWORD)  # fmt: skip
    first = sanad(cli_app, "tokens", "create", "--email", "bot@example.com").stdout.strip()
    second = sanad(cli_app, "tokens", "create", "--email", "bot@example.com").stdout.strip()
    kept = sanad(cli_app, "tokens", "create", "--email", "other@example.com").stdout.strip()
    client = cli_app.test_client()

    def status(token: str) -> int:
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert (status(first), status(second)) == (200, 200)

    result = sanad(cli_app, "tokens", "revoke", "--email", "BOT@example.com")
    assert result.exit_code == 0, result.output
    assert "revoked 2 token(s)" in result.output
    assert (status(first), status(second)) == (401, 401)
    assert status(kept) == 200  # another person's token is untouched
    again = sanad(cli_app, "tokens", "revoke", "--email", "bot@example.com")
    assert "revoked 0 token(s)" in again.output


def test_tokens_revoke_for_an_unknown_address_fails(cli_app: Flask) -> None:
    result = sanad(cli_app, "tokens", "revoke", "--email", "ghost@example.com")
    assert result.exit_code == 1
    assert "ghost@example.com" in result.output


@pytest.mark.parametrize(
    "app_overrides", [{"SANAD_CATEGORY_TEAMS": "network=netops,email=messaging"}], indirect=True
)
def test_start_up_seeds_a_team_record_for_every_configured_team(cli_app: Flask) -> None:
    from portal.accounts.teams import list_teams

    services = cli_app.extensions["sanad"]
    prepare(services, demo=False)
    prepare(services, demo=False)  # a second start adds nothing
    with services.sessions() as session:
        assert sorted(t.key for t in list_teams(session)) == ["messaging", "netops", "support"]
