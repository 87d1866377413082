"""Pages and API calls in web tests: fixture types and the steps many tests take."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from portal.accounts.models import UserInfo
from portal.accounts.services import create_api_token
from portal.db import transaction

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# count_events(kind): how many events of one kind were recorded.
EventCounter = Callable[[str], int]
# make_account(*roles, name=None): agents and admins work the support team, tier 1.
MakeAccount = Callable[..., UserInfo]
# client_for(user): a browser signed in as user (None: a visitor), English interface.
ClientFor = Callable[[UserInfo | None], FlaskClient]


def text_of(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def reference_of(response: object) -> str:
    """The ticket reference (HD-000123) a redirect points at."""
    location = response.headers["Location"]  # type: ignore[attr-defined]
    found = re.search(r"HD-\d{6}", location)
    assert found, location
    return found.group(0)


def open_ticket(client: FlaskClient, subject: str = "VPN drops", **form: object) -> str:
    """Open a ticket through the "Still need help?" form; its reference."""
    response = client.post(
        "/tickets/new", data={"subject": subject, "body": "It drops every hour.", **form}
    )
    assert response.status_code == 303, text_of(response)
    return reference_of(response)


def read_and_search(client: FlaskClient) -> None:
    """What a requester tries before asking: a search and two articles (the session trail)."""
    assert client.get("/search", query_string={"q": "كلمة المرور"}).status_code == 200
    assert client.get("/kb/ar/reset-password").status_code == 200
    assert client.get("/kb/en/vpn-connect").status_code == 200


def token_for(app: Flask, user: UserInfo) -> dict[str, str]:
    """Headers that authenticate an API call as ``user`` with a fresh personal token."""
    with transaction(app.extensions["sanad"].sessions) as session:
        token = create_api_token(session, email=user.email, now=dt.datetime.now(dt.UTC))
    return {"Authorization": f"Bearer {token}"}
