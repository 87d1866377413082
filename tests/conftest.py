"""Shared fixtures: every test gets its own database, article repository and index; the
account, session and loopback-mail fixtures serve every package's tests."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import textwrap
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from portal import create_app
from portal.accounts.models import UserInfo
from portal.accounts.services import create_user
from portal.config import AccountSettings, MailSettings
from portal.db import make_engine, make_session_factory, transaction, upgrade_database
from portal.notify.outbox import deliver_due
from tests.support.accounts import CHEAP, PASSWORD, MakeUser, Run
from tests.support.articles import ArticleWriter, git
from tests.support.mail import Inbox, free_port
from tests.support.prerequisites import missing

POSTGRES_URL = os.environ.get("SANAD_TEST_POSTGRES_URL", "")
# make test runs the database-touching tests a second time with this set to "postgres".
TEST_DATABASE = os.environ.get("SANAD_TEST_DATABASE", "sqlite")
T = TypeVar("T")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reaches the database, so make test can rerun them on PostgreSQL."""
    for item in items:
        if "database_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)


@pytest.fixture
def articles_dir(tmp_path: Path) -> Path:
    """An empty articles git repository."""
    root = tmp_path / "articles"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "tests@sanad.invalid")
    git(root, "config", "user.name", "Sanad tests")
    return root


@pytest.fixture
def write_article(articles_dir: Path) -> ArticleWriter:
    """Write ``<category>/<id>.<lang>.md`` with the given front matter and body."""

    def write(
        article_id: str,
        lang: str = "en",
        title: str | None = None,
        body: str = "Body text.",
        *,
        category: str = "general",
        commit: bool = True,
        raw: str | None = None,
        **front: Any,
    ) -> Path:
        path = articles_dir / category / f"{article_id}.{lang}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        if raw is None:
            meta = {
                "title": title or article_id.replace("-", " ").title(),
                "lang": lang,
                "category": category,
                "status": "published",
                "audience": "public",
                **front,
            }
            lines = []
            for key, value in meta.items():
                if isinstance(value, list | tuple):
                    lines.append(f"{key}: [{', '.join(str(v) for v in value)}]")
                else:
                    lines.append(f"{key}: {value}")
            raw = "---\n" + "\n".join(lines) + "\n---\n\n" + textwrap.dedent(body).strip() + "\n"
        path.write_text(raw, encoding="utf-8")
        if commit:
            git(articles_dir, "add", "-A")
            git(articles_dir, "commit", "-q", "-m", f"write {path.name}")
        return path

    return write


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite in tmp_path, or a private PostgreSQL schema."""
    if TEST_DATABASE != "postgres":
        url = f"sqlite:///{tmp_path / 'sanad.db'}"
        upgrade_database(url)
        yield url
        return
    if not POSTGRES_URL:
        missing("SANAD_TEST_POSTGRES_URL is not set: no PostgreSQL to test against")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    upgrade_database(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def app_overrides(
    request: pytest.FixtureRequest, tmp_path: Path, articles_dir: Path, database_url: str
) -> dict[str, Any]:
    """Settings for one test's app; tests may change them before ``app`` is built, or give
    more with ``@pytest.mark.parametrize("app_overrides", [{"SANAD_X": "..."}], indirect=True)``
    (any key ``create_app(overrides)`` takes)."""
    return {
        "instance_dir": tmp_path / "instance",
        "database_url": database_url,
        "articles_dir": articles_dir,
        "index_dir": tmp_path / "search_index",
        "secret_key": "test-secret",
        "testing": True,
        **getattr(request, "param", {}),
    }


@pytest.fixture
def app(app_overrides: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_overrides)
    application.config["TESTING"] = True
    yield application
    services = application.extensions["sanad"]
    services.close()


@pytest.fixture
def synced_app(app: Flask) -> Flask:
    """The app after its index has been synced with the articles written so far."""
    app.extensions["sanad"].search.sync()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- accounts, sessions and mail for service-level tests ------------------------------------


@pytest.fixture
def account_settings() -> AccountSettings:
    """Production rules with a cheap Argon2id cost, so hundreds of hashes stay fast."""
    return CHEAP


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
def make_user(run: Run, account_settings: AccountSettings, now: dt.datetime) -> MakeUser:
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


@pytest.fixture
def smtp_server() -> Iterator[Inbox]:
    """A real SMTP server on loopback that collects what it receives."""
    port = free_port()
    inbox = Inbox(MailSettings(host="127.0.0.1", port=port, sender="Sanad <sanad@example.com>"))
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox
    controller.stop()


@pytest.fixture
def deliver(sessions: sessionmaker[Session], smtp_server: Inbox) -> Callable[[], int]:
    """Send everything the outbox holds to ``smtp_server``; returns how many were sent."""

    def drain() -> int:
        far = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        return deliver_due(sessions, smtp_server.settings, far).sent

    return drain
