"""People who sign in through the real log-in pages, with the CSRF tokens a browser sends."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.accounts.models import UserInfo
from portal.db import utcnow
from portal.notify.outbox import deliver_due

PASSWORD = "amber-Dune-ferry-72"
LOGIN_FAILED = "The e-mail address or the password is wrong."


@dataclass(frozen=True)
class Person:
    info: UserInfo
    password: str

    @property
    def email(self) -> str:
        return self.info.email


# make_person(email="noor@example.com", *, name=..., roles=("requester",), password=..., lang=...)
MakePerson = Callable[..., Person]


def csrf_token(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``, as a browser would submit it."""
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'type="hidden" name="csrf_token" value="([^"]+)"', page
    )
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def post_form(client: FlaskClient, path: str, data: dict[str, str], **kw: object) -> TestResponse:
    """Submit the form on ``path`` like a browser: read the page, then post with its token."""
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data}, **kw)  # type: ignore[arg-type]


def log_in(client: FlaskClient, email: str, password: str, next_: str = "") -> TestResponse:
    form = {"email": email, "password": password}
    if next_:
        form["next"] = next_
    return post_form(client, "/auth/login", form)


def log_out(client: FlaskClient) -> TestResponse:
    """Press "Log out" in the header menu of the profile page."""
    return client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/auth/profile")})


def signed_in_as(client: FlaskClient) -> str | None:
    """The name in the header's user menu, or None when the header offers "Log in"."""
    page = client.get("/auth/forgot").get_data(as_text=True)
    found = re.search(r'<span class="visually-hidden">[^<]*</span>([^<]+)</summary>', page)
    return found.group(1).strip() if found else None


def deliver_mail(app: Flask) -> None:
    """Send what the outbox holds, as the background sender would a moment later."""
    services = app.extensions["sanad"]
    deliver_due(services.sessions, services.settings.mail, utcnow())
