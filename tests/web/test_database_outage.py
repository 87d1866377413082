"""A database that accepts connections and never answers (or stays locked): every request
answers within seconds, the knowledge base keeps serving, and the site recovers by itself."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import make_url
from werkzeug.test import TestResponse

from portal import create_app
from tests.support.stalled import StalledListener

# libpq's shortest connect timeout; SQLite's lock wait has no floor.
TIMEOUT = 2.0
# What the issue asks: every request answers within 5 s.
BOUND = 5.0
RECOVERY = 15.0

READ_PAGES = (
    "/",
    "/kb/category/accounts",
    "/kb/en/reset-password",
    "/kb/ar/reset-password",
    "/search?q=password",
    "/api/v1/search?q=password",
    "/api/v1/articles?lang=en",
    "/api/v1/articles/reset-password?lang=en",
)


def timed(client: FlaskClient, method: str, path: str, **given: Any) -> tuple[TestResponse, float]:
    started = time.perf_counter()
    response = client.open(path, method=method, **given)
    return response, time.perf_counter() - started


def close(app: Flask) -> None:
    services = app.extensions["sanad"]
    services.close()


@pytest.fixture
def listener() -> Iterator[StalledListener]:
    with StalledListener() as stalled:
        yield stalled


@pytest.fixture
def stalled_site(
    app_overrides: dict[str, Any], kb_articles: Path, listener: StalledListener
) -> Iterator[Flask]:
    """The sample knowledge base, indexed, over a PostgreSQL URL that never answers."""
    overrides = {**app_overrides, "database_url": listener.url(), "database_timeout": TIMEOUT}
    app = create_app(overrides)
    app.config["WTF_CSRF_ENABLED"] = False
    app.extensions["sanad"].search.sync()
    yield app
    close(app)


def test_the_knowledge_base_keeps_answering_while_the_database_stalls(
    stalled_site: Flask, listener: StalledListener
) -> None:
    client = stalled_site.test_client()
    for path in READ_PAGES:
        response, seconds = timed(client, "GET", path)
        assert response.status_code == 200, path
        assert seconds < BOUND, (path, seconds)
    assert "Reset" in client.get("/kb/en/reset-password").get_data(as_text=True)
    assert listener.accepted >= 1  # the pages did try the database, and did without it


def test_pages_that_need_the_database_answer_503_within_seconds(stalled_site: Flask) -> None:
    client = stalled_site.test_client()
    form = {"email": "someone@example.com", "password": "not-the-password"}
    response, seconds = timed(client, "POST", "/auth/login", data=form)
    assert response.status_code == 503
    assert seconds < BOUND
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert "قاعدة المعرفة" in page  # the default interface is Arabic, and says what still works
    assert 'action="/search"' in page  # ...and offers the search box

    client.get("/locale/en")
    response, seconds = timed(client, "POST", "/auth/login", data=form)
    assert response.status_code == 503
    assert seconds < BOUND
    assert "The knowledge base still works" in response.get_data(as_text=True)


def test_the_api_answers_json_503(stalled_site: Flask) -> None:
    client = stalled_site.test_client()
    headers = {"Authorization": "Bearer sanad_not-checked-while-down"}
    body = {"subject": "Printer", "body": "It jams."}
    response, seconds = timed(client, "POST", "/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 503
    assert seconds < BOUND
    assert response.json is not None
    assert response.json["error"]["status"] == 503
    assert response.headers["Retry-After"]


def test_a_signed_in_person_gets_503_not_the_log_in_form(stalled_site: Flask) -> None:
    """Without the database nobody can be recognised; a protected page must not pretend the
    person is a visitor and send them to log in."""
    client = stalled_site.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "an-auth-token"
        session["_fresh"] = True
    response, seconds = timed(client, "GET", "/agent")
    assert response.status_code == 503
    assert seconds < BOUND
    # Public pages still answer for them, as for anyone.
    assert client.get("/kb/en/reset-password").status_code == 200


def test_readyz_says_not_ready_and_healthz_stays_healthy(
    stalled_site: Flask, listener: StalledListener
) -> None:
    client = stalled_site.test_client()
    response, seconds = timed(client, "GET", "/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})
    assert listener.accepted == 0  # the process answers without asking the database
    response, seconds = timed(client, "GET", "/readyz")
    assert response.status_code == 503
    assert seconds < BOUND
    assert response.json is not None
    assert response.json["status"] == "not ready"
    assert response.json["checks"]["database"]["ok"] is False
    assert response.json["checks"]["index"]["ok"] is True
    assert "127.0.0.1" not in response.get_data(as_text=True)  # no internals to the public
    assert "Set-Cookie" not in response.headers


def test_readyz_is_ready_with_a_working_database(site_client: FlaskClient) -> None:
    response = site_client.get("/readyz")
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["status"] == "ready"
    assert {name: check["ok"] for name, check in response.json["checks"].items()} == {
        "database": True,
        "index": True,
    }


# --- recovery without a restart ------------------------------------------------------------


def wait_until_ready(client: FlaskClient) -> float:
    """Seconds until /readyz says ready (the breaker retries on its own)."""
    started = time.perf_counter()
    while time.perf_counter() - started < RECOVERY:
        if client.get("/readyz").status_code == 200:
            return time.perf_counter() - started
        time.sleep(0.2)
    pytest.fail(f"not ready {RECOVERY} s after the database came back")


def login_attempt(client: FlaskClient) -> TestResponse:
    form = {"email": "someone@example.com", "password": "not-the-password"}
    return client.post("/auth/login", data=form)


def test_the_site_recovers_once_the_database_answers_again(
    app_overrides: dict[str, Any], kb_articles: Path, database_url: str
) -> None:
    """SQLite: another process holds the write lock, then lets go. PostgreSQL: the server
    stops answering (a stalled proxy in front of it), then answers again."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _recover_from_a_lock(app_overrides, str(url.database))
    else:
        _recover_from_a_stall(app_overrides, database_url)


def _recover_from_a_lock(app_overrides: dict[str, Any], path: str) -> None:
    app = create_app({**app_overrides, "database_statement_timeout": 1.0})
    app.config["WTF_CSRF_ENABLED"] = False
    app.extensions["sanad"].search.sync()
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        client = app.test_client()
        assert login_attempt(client).status_code == 400  # a wrong password: the form again
        holder.execute("BEGIN EXCLUSIVE")
        started = time.perf_counter()
        assert login_attempt(client).status_code == 503
        assert time.perf_counter() - started < BOUND
        for page in ("/", "/kb/en/reset-password", "/search?q=password"):
            response, seconds = timed(client, "GET", page)
            assert response.status_code == 200
            assert seconds < BOUND
        assert client.get("/readyz").status_code == 503
        holder.execute("ROLLBACK")
        wait_until_ready(client)
        assert login_attempt(client).status_code == 400
    finally:
        holder.close()
        close(app)


def _recover_from_a_stall(app_overrides: dict[str, Any], database_url: str) -> None:
    real = make_url(database_url)
    with StalledListener() as listener:
        through = real.set(host="127.0.0.1", port=listener.port)
        app = create_app(
            {
                **app_overrides,
                "database_url": through.render_as_string(hide_password=False),
                "database_timeout": TIMEOUT,
            }
        )
        app.config["WTF_CSRF_ENABLED"] = False
        app.extensions["sanad"].search.sync()
        try:
            client = app.test_client()
            started = time.perf_counter()
            assert login_attempt(client).status_code == 503
            assert time.perf_counter() - started < BOUND
            listener.forward_to(real.host or "127.0.0.1", real.port or 5432)
            wait_until_ready(client)
            assert login_attempt(client).status_code == 400
            # ...and a stall of a server already in use is noticed and survived too.
            listener.stall()
            started = time.perf_counter()
            assert login_attempt(client).status_code == 503
            assert time.perf_counter() - started < BOUND
            listener.forward_to(real.host or "127.0.0.1", real.port or 5432)
            wait_until_ready(client)
        finally:
            close(app)
