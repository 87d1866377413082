"""The settings tree: each variable's parser, overrides, ``sanad config check``, one reader."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from portal.cli import main
from portal.config import (
    MASK,
    PROJECT_ROOT,
    VARIABLES,
    AccountSettings,
    ConfigError,
    Settings,
    describe,
    load_settings,
)


def load(tmp_path: Path, environ: dict[str, str], **overrides: Any) -> Settings:
    """Settings from exactly ``environ`` (never this process's), the instance in tmp_path."""
    return load_settings({"instance_dir": tmp_path / "instance", **overrides}, environ=environ)


def setting(settings: Settings, path: str) -> Any:
    value: Any = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value


# (variable, text an operator writes, where it lands, the value Sanad uses)
GOOD = [
    ("SANAD_DEMO", "yes", "demo", True),
    ("SANAD_SESSION_COOKIE_SECURE", "On", "web.session_cookie_secure", True),
    ("SANAD_VISITOR_TICKETS", "0", "tickets.visitor_tickets_enabled", False),
    ("SANAD_TRUSTED_PROXIES", " 2 ", "web.trusted_proxies", 2),
    ("SANAD_SMTP_PORT", "2525", "mail.port", 2525),
    ("SANAD_SEARCH_TIME_LIMIT", "0.25", "search.time_limit", 0.25),
    ("SANAD_SEARCH_MAX_QUERY_CHARS", "80", "search.max_query_chars", 80),
    ("SANAD_FEEDBACK_UNHELPFUL_SHARE", "1", "knowledge.feedback_unhelpful_share", 1.0),
    ("SANAD_ARTICLES_DIR", "kb/../kb2", "articles_dir", Path("kb2").resolve()),
    ("SANAD_SMTP_FROM", "Help <help@example.org>", "mail.sender", "Help <help@example.org>"),
    ("SANAD_DEFAULT_LOCALE", "en", "default_locale", "en"),
    ("SANAD_RESET_TOKEN_TTL_MINUTES", "15", "accounts.reset_token_ttl", dt.timedelta(minutes=15)),
    ("SANAD_REOPEN_WINDOW_DAYS", "0", "tickets.reopen_window", dt.timedelta(0)),
    ("SANAD_ATTACHMENT_TYPES", "image/png, text/plain,", "tickets.attachment_types",
     ("image/png", "text/plain")),
    ("SANAD_CATEGORY_TEAMS", "network=NetOps, email=messaging", "tickets.category_teams",
     {"network": "netops", "email": "messaging"}),
    ("SANAD_PUBLIC_URL", "https://help.example.org/", "tickets.public_url",
     "https://help.example.org/"),
    ("SANAD_DATABASE_URL", "postgresql+psycopg://u:pw@db:5432/sanad", "database_url",
     "postgresql+psycopg://u:pw@db:5432/sanad"),
    ("SANAD_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:6379", "ratelimits.storage_url",
     "redis://127.0.0.1:6379"),
    ("SANAD_DEFAULT_TEAM", "Helpdesk", "tickets.default_team", "helpdesk"),
    ("SANAD_DEFAULT_TEAM", "Helpdesk", "accounts.default_team", "helpdesk"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "path", "expected"), GOOD)
def test_each_kind_of_variable_reads_what_an_operator_writes(
    tmp_path: Path, name: str, text: str, path: str, expected: Any
) -> None:
    assert setting(load(tmp_path, {name: text}), path) == expected


# (variable, an unusable value, words of the accepted values the message must give)
BAD = [
    ("SANAD_DEMO", "maybe", "true or false"),
    ("SANAD_TRUSTED_PROXIES", "-1", "a whole number of 0 or more"),
    ("SANAD_LOCKOUT_THRESHOLD", "0", "a whole number of 1 or more"),
    ("SANAD_SMTP_PORT", "70000", "a whole number from 1 to 65535"),
    ("SANAD_ATTACHMENT_MAX_BYTES", "٥", "a whole number"),  # Arabic-Indic digits: int() takes them
    ("SANAD_SEARCH_TIME_LIMIT", "nan", "a number of seconds above 0"),
    ("SANAD_SEARCH_TIME_LIMIT", "0", "a number of seconds above 0"),
    ("SANAD_FEEDBACK_UNHELPFUL_SHARE", "1.5", "a share above 0 and at most 1"),
    ("SANAD_DEFAULT_LOCALE", "fr", "one of ar, en"),
    ("SANAD_RESET_TOKEN_TTL_MINUTES", "1h", "a whole number of minutes"),
    ("SANAD_REOPEN_WINDOW_DAYS", "a week", "a whole number of days"),
    ("SANAD_ATTACHMENT_TYPES", ",", "a comma-separated list"),
    ("SANAD_CATEGORY_TEAMS", "network", "key=value pairs"),
    ("SANAD_PUBLIC_URL", "help.example.org", "an http:// or https:// URL"),
    ("SANAD_PUBLIC_URL", "ftp://help.example.org", "an http:// or https:// URL"),
    ("SANAD_DATABASE_URL", "instance/sanad.db", "an SQLAlchemy URL"),
    ("SANAD_RATELIMIT_STORAGE_URL", "127.0.0.1:6379", "a storage URL"),
]


@pytest.mark.parametrize(("name", "text", "accepted"), BAD)
def test_a_bad_value_is_refused_naming_the_variable_and_what_it_takes(
    tmp_path: Path, name: str, text: str, accepted: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, {name: text})
    message = str(caught.value)
    assert message.startswith(f"{name} must be ")
    assert accepted in message
    assert repr(text) in message  # the operator sees what they wrote


def test_a_bad_url_is_shown_without_its_password(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, {"SANAD_PUBLIC_URL": "ftp://me:hunter2@example.org"})
    assert "hunter2" not in str(caught.value)


def test_every_variable_of_the_table_is_documented() -> None:
    documented = (PROJECT_ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [v.name for v in VARIABLES if f"`{v.name}`" not in documented]
    assert missing == []


def test_defaults_are_the_documented_ones(tmp_path: Path) -> None:
    settings = load(tmp_path, {})
    assert settings.database_url == f"sqlite:///{tmp_path / 'instance' / 'sanad.db'}"
    assert settings.articles_dir == PROJECT_ROOT / "articles"
    assert (settings.default_locale, settings.demo) == ("ar", False)
    assert settings.ratelimits.storage_url == "database://"
    assert (settings.search.time_limit, settings.search.max_query_chars) == (1.0, 500)
    assert settings.accounts.reset_token_ttl == dt.timedelta(minutes=60)
    assert settings.tickets.attachments_dir == tmp_path / "instance" / "attachments"
    assert settings.tickets.reopen_window == dt.timedelta(days=7)
    assert (settings.mail.host, settings.mail.port) == (None, 25)
    # The generated secret is kept, so a restart keeps people signed in.
    assert load(tmp_path, {}).secret_key == settings.secret_key


def test_an_empty_variable_counts_as_unset(tmp_path: Path) -> None:
    settings = load(tmp_path, {"SANAD_LOCKOUT_THRESHOLD": "", "SANAD_DEFAULT_LOCALE": "  "})
    assert (settings.accounts.lockout_threshold, settings.default_locale) == (5, "ar")


def test_starttls_moves_the_default_smtp_port_to_587(tmp_path: Path) -> None:
    assert load(tmp_path, {"SANAD_SMTP_STARTTLS": "true"}).mail.port == 587
    given = {"SANAD_SMTP_STARTTLS": "true", "SANAD_SMTP_PORT": "2525"}
    assert load(tmp_path, given).mail.port == 2525


# --- overrides ---------------------------------------------------------------------------


def test_overrides_win_over_the_environment_in_every_form(tmp_path: Path) -> None:
    environ = {"SANAD_VISITOR_TICKETS": "true", "SANAD_LOCKOUT_THRESHOLD": "9"}
    as_text = load(tmp_path, environ, SANAD_VISITOR_TICKETS="false")
    assert as_text.tickets.visitor_tickets_enabled is False
    dotted = load(tmp_path, environ, **{"tickets.visitor_tickets_enabled": False})
    assert dotted.tickets.visitor_tickets_enabled is False
    # A section dict changes its fields and keeps the environment's others.
    merged = load(tmp_path, environ, accounts={"argon2_time_cost": 1})
    assert (merged.accounts.argon2_time_cost, merged.accounts.lockout_threshold) == (1, 9)
    # A section object replaces the section.
    whole = load(tmp_path, environ, accounts=AccountSettings(argon2_time_cost=2))
    assert (whole.accounts.argon2_time_cost, whole.accounts.lockout_threshold) == (2, 5)


def test_the_flat_names_of_earlier_releases_still_reach_their_setting(tmp_path: Path) -> None:
    settings = load(
        tmp_path,
        {},
        search_time_limit=1e-9,  # not text: taken as it is, beyond what an operator may set
        trusted_proxies=1,
        session_cookie_secure=True,
        review_self_approve="true",  # text goes through the variable's parser
        articles_dir=str(tmp_path / "kb"),
        testing=True,
    )
    assert settings.search.time_limit == 1e-9
    assert (settings.web.trusted_proxies, settings.web.session_cookie_secure) == (1, True)
    assert settings.knowledge.review_self_approve is True
    assert settings.articles_dir == tmp_path / "kb"
    assert settings.testing is True


def test_an_override_in_text_is_checked_like_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SANAD_TRUSTED_PROXIES must be a whole number"):
        load(tmp_path, {}, trusted_proxies="two")


@pytest.mark.parametrize("key", ["SANAD_VISITOR_TICKET", "visitor_tickets", "tickets.nope"])
def test_a_misspelt_override_is_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigError, match="is not a Sanad setting"):
        load(tmp_path, {}, **{key: "false"})


@pytest.mark.parametrize(
    "app_overrides",
    [{"SANAD_VISITOR_TICKETS": "false", "mail": {"host": "smtp.example.org"}}],
    indirect=True,
)
def test_create_app_overrides_reach_a_nested_setting(app: Flask) -> None:
    settings: Settings = app.extensions["sanad"].settings
    assert settings.tickets.visitor_tickets_enabled is False
    assert settings.mail.host == "smtp.example.org"
    assert app.test_client().get("/tickets/new").status_code in (303, 401)


# --- sanad config check ------------------------------------------------------------------


@pytest.fixture
def operator_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """A clean environment for the command: none of this shell's SANAD_* variables."""
    import os

    for name in [n for n in os.environ if n.startswith("SANAD_")]:
        monkeypatch.delenv(name)
    return {
        "SANAD_INSTANCE_DIR": str(tmp_path / "instance"),
        "SANAD_SECRET_KEY": "s3cret-signing-key",
        "SANAD_SMTP_PASSWORD": "hunter2-smtp",
        "SANAD_DATABASE_URL": "postgresql+psycopg://sanad:db-pass-77@db:5432/sanad",
        "SANAD_RATELIMIT_STORAGE_URL": "redis://:redis-pass-9@cache:6379",
        "SANAD_VISITOR_TICKETS": "off",
    }


def test_config_check_prints_every_setting_with_its_variable_and_masks_secrets(
    operator_env: dict[str, str],
) -> None:
    result = CliRunner().invoke(main, ["config", "check"], env=operator_env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(re.fullmatch(r"tickets\.visitor_tickets_enabled +=.*", line) for line in lines)
    visitor = next(line for line in lines if line.startswith("tickets.visitor_tickets_enabled"))
    assert visitor.split("=", 1)[1].split() == ["false", "(SANAD_VISITOR_TICKETS)"]
    for secret in ("s3cret-signing-key", "hunter2-smtp", "db-pass-77", "redis-pass-9"):
        assert secret not in result.output
    assert f"postgresql+psycopg://sanad:{MASK}@db:5432/sanad" in result.output
    password = next(line for line in lines if line.startswith("mail.password"))
    assert MASK in password
    # Every variable appears with its line.
    assert all(f"({v.name})" in result.output for v in VARIABLES)


def test_config_check_exits_1_naming_the_invalid_variable(operator_env: dict[str, str]) -> None:
    bad = {**operator_env, "SANAD_LOCKOUT_THRESHOLD": "five"}
    result = CliRunner().invoke(main, ["config", "check"], env=bad)
    assert result.exit_code == 1
    assert "SANAD_LOCKOUT_THRESHOLD must be a whole number of 1 or more, not 'five'" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_any_command_stops_on_an_invalid_setting_with_one_line(
    operator_env: dict[str, str],
) -> None:
    bad = {**operator_env, "SANAD_DEFAULT_LOCALE": "fr"}
    result = CliRunner().invoke(main, ["db", "upgrade"], env=bad)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: SANAD_DEFAULT_LOCALE must be one of ar, en, not 'fr'"
    ]


def test_describe_covers_the_whole_tree(tmp_path: Path) -> None:
    paths = [path for path, _value, _variable in describe(load(tmp_path, {}))]
    assert "accounts.argon2_time_cost" in paths  # settings without a variable are shown too
    assert len(paths) == len(set(paths))


# --- one reader of the environment -------------------------------------------------------

READS_ENVIRONMENT = re.compile(r"\bos\.(environ|environb|getenv|putenv)\b|from os import")
# A child process (git) is given a copy of the whole environment: that reads no setting.
CHILD_ENVIRONMENT = "dict(os.environ)"


def reads_environment(line: str) -> bool:
    return READS_ENVIRONMENT.search(line.replace(CHILD_ENVIRONMENT, "")) is not None


def test_no_module_but_the_settings_loader_reads_the_environment() -> None:
    readers = []
    for path in sorted((PROJECT_ROOT / "portal").rglob("*.py")):
        if path == PROJECT_ROOT / "portal" / "config" / "load.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if reads_environment(line):
                readers.append(f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}")
    assert readers == []


def test_the_environment_check_catches_a_reader() -> None:
    assert reads_environment('x = os.environ.get("SANAD_DEMO")')
    assert reads_environment("port = os.getenv('SANAD_SMTP_PORT')")
    assert reads_environment("from os import environ")
    assert not reads_environment("env = dict(os.environ)")
