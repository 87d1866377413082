"""``POST /api/v1/tickets`` with an ``Idempotency-Key`` header: a client that lost the answer
and sends the request again gets the first answer, not a second ticket."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.accounts.services import create_api_token, create_user
from portal.config import AccountSettings
from portal.db import transaction
from portal.tickets.models import Ticket

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
BODY = {"subject": "Printer jams", "body": "On every second page."}


def bearer(app: Flask, email: str) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    with transaction(app.extensions["sanad"].sessions) as session:
        create_user(
            session, CHEAP, email=email, name=email.split("@")[0],
            password="correct-Horse-battery-9", now=now,
        )  # fmt: skip
        return {"Authorization": f"Bearer {create_api_token(session, email=email, now=now)}"}


def ticket_count(app: Flask) -> int:
    with transaction(app.extensions["sanad"].sessions) as session:
        return int(session.scalar(select(func.count(Ticket.id))) or 0)


@pytest.fixture
def reem(app: Flask) -> dict[str, str]:
    return bearer(app, "reem@example.com")


def post(
    client: FlaskClient, auth: dict[str, str], key: str | None, body: object = BODY
) -> TestResponse:
    headers = {**auth, **({"Idempotency-Key": key} if key is not None else {})}
    return client.post("/api/v1/tickets", json=body, headers=headers)


def test_a_retry_answers_like_the_first_request_without_a_second_ticket(
    app: Flask, client: FlaskClient, reem: dict[str, str]
) -> None:
    first = post(client, reem, "3f1c-retry")
    again = post(client, reem, "3f1c-retry")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ticket_count(app) == 1
    # Without the header, the same body is a new ticket, as before.
    assert post(client, reem, None).get_json()["reference"] != first.get_json()["reference"]


def test_the_same_key_with_a_different_body_answers_422_saying_why(
    app: Flask, client: FlaskClient, reem: dict[str, str]
) -> None:
    assert post(client, reem, "k-1").status_code == 201
    refused = post(client, reem, "k-1", {**BODY, "body": "On every page."})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["field"] == "Idempotency-Key"
    assert error["code"] == "reused"
    assert "different request body" in error["message"]
    assert ticket_count(app) == 1


def test_another_caller_may_use_the_same_key(
    app: Flask, client: FlaskClient, reem: dict[str, str]
) -> None:
    adel = bearer(app, "adel@example.com")
    mine = post(client, reem, "shared-key").get_json()["reference"]
    theirs = post(client, adel, "shared-key")
    assert theirs.status_code == 201
    assert theirs.get_json()["reference"] != mine
    assert ticket_count(app) == 2


def test_an_unusable_key_answers_422_and_opens_nothing(
    app: Flask, client: FlaskClient, reem: dict[str, str]
) -> None:
    refused = post(client, reem, "k" * 256)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "Idempotency-Key"
    assert ticket_count(app) == 0
