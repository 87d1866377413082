"""An action with two doors (a page and the API) has one rate-limit budget per person: using
both does not double the documented figure."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from portal.accounts.services import create_api_token, create_user
from portal.config import AccountSettings
from portal.db import transaction
from portal.web.limits import enable_limits

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)


def test_tickets_opened_through_the_api_count_against_the_page_too(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    enable_limits(app)
    now = dt.datetime.now(dt.UTC)
    with transaction(app.extensions["sanad"].sessions) as session:
        reem = create_user(
            session, CHEAP, email="reem@example.com", name="Reem",
            password="correct-Horse-battery-9", now=now,
        )  # fmt: skip
        token = create_api_token(session, email=reem.email, now=now)
    api = app.test_client()
    codes = [
        api.post(
            "/api/v1/tickets",
            json={"subject": f"Printer #{n}", "body": "It jams."},
            headers={"Authorization": f"Bearer {token}"},
        ).status_code
        for n in range(10)
    ]
    assert codes == [201] * 10
    browser = app.test_client()
    with browser.session_transaction() as cookie:
        cookie["_user_id"] = reem.auth_token
        cookie["_fresh"] = True
    page = browser.post("/tickets/new", data={"subject": "Printer #11", "body": "It jams."})
    assert page.status_code == 429


def test_votes_through_the_page_count_against_the_api_too(app: Flask) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    enable_limits(app)
    client = app.test_client()
    for _ in range(20):
        page = client.post("/articles/en/printer/feedback", data={"helpful": "yes"})
        assert page.status_code != 429
    api = client.post("/api/v1/articles/printer/feedback?lang=en", json={"helpful": True})
    assert api.status_code == 429
