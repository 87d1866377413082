"""What an attacker tries first on the account pages: lock people out by guessing, find out
who has an account, keep a token after the owner changed the password, pick a weak password."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from portal.accounts import tokens as api_tokens
from portal.accounts.models import User
from portal.dates import moment_text
from portal.db import transaction, utcnow
from portal.web.auth.pacing import MINIMUM_SECONDS
from tests.support.mail import Inbox
from tests.support.signing_in import (
    LOGIN_FAILED,
    MakePerson,
    csrf_token,
    deliver_mail,
    log_in,
    post_form,
    signed_in_as,
)

NEW_PASSWORD = "quiet-Oasis-river-19"


@pytest.fixture
def web(accounts_app: Flask) -> FlaskClient:
    """A browser that chose the English interface."""
    client = accounts_app.test_client()
    client.get("/locale/en")
    return client


WRONG = "wrong-Password-000"


def use_smtp(app: Flask, inbox: Inbox) -> None:
    """The app mails through the loopback server (``app_overrides`` wires it in)."""
    assert app.extensions["sanad"].settings.mail == inbox.settings


def bearer(app: Flask, token: str) -> int:
    response = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return response.status_code


def make_token(app: Flask, user_id: int, name: str = "script") -> str:
    with transaction(app.extensions["sanad"].sessions) as session:
        return api_tokens.issue_api_token(session, user_id=user_id, now=utcnow(), name=name).token


# --- lock-out ------------------------------------------------------------------------------


def test_guessing_pauses_log_ins_mails_the_owner_once_and_ends_with_the_cool_down(
    accounts_app: Flask,
    web: FlaskClient,
    make_person: MakePerson,
    smtp_server: Inbox,
) -> None:
    use_smtp(accounts_app, smtp_server)
    owner = make_person(email="mona@example.com", name="Mona")
    owners_browser = accounts_app.test_client()
    owners_browser.get("/locale/en")
    assert log_in(owners_browser, owner.email, owner.password).status_code == 303

    for _ in range(12):
        assert LOGIN_FAILED in log_in(web, owner.email, WRONG).get_data(as_text=True)
    refused = log_in(web, owner.email, owner.password)
    assert refused.status_code == 400
    assert LOGIN_FAILED in refused.get_data(as_text=True)  # the same answer as a wrong password
    assert signed_in_as(owners_browser) == "Mona"  # guessing does not throw the owner out

    deliver_mail(accounts_app)
    [notice] = smtp_server.messages
    assert notice["To"] == "mona@example.com"
    assert notice["Subject"] == "Log-ins to your Sanad account are paused"
    # Until when, written like the pages' dates in the site's time zone (not "UTC").
    with transaction(accounts_app.extensions["sanad"].sessions) as session:
        locked_until = session.get(User, owner.info.id).locked_until
    zone = accounts_app.extensions["sanad"].settings.timezone
    text = notice.get_body(("plain",)).get_content()
    assert f"paused until {moment_text(locked_until, 'en', zone, 'full')}." in text
    assert "UTC" not in text
    assert 'dir="ltr"' in notice.get_body(("html",)).get_content()

    # The cool-down runs out (as a minute passing would): the right password works again,
    # with no admin involved.
    with transaction(accounts_app.extensions["sanad"].sessions) as session:
        session.execute(
            update(User)
            .where(User.id == owner.info.id)
            .values(locked_until=utcnow() - dt.timedelta(seconds=1))
        )
    assert log_in(web, owner.email, owner.password).status_code == 303
    deliver_mail(accounts_app)
    assert len(smtp_server.messages) == 1


# --- answers that tell nobody who has an account -------------------------------------------


def timed_post(client: FlaskClient, path: str, data: dict[str, str]) -> tuple[float, str, int]:
    token = csrf_token(client, path)
    started = time.perf_counter()
    response = client.post(path, data={"csrf_token": token, **data})
    elapsed = time.perf_counter() - started
    return elapsed, response.get_data(as_text=True), response.status_code


def answer(page: str) -> str:
    """The page's status message with the typed address blanked out."""
    found = re.search(r'role="status">([^<]*)<', page)
    assert found, "no status message"
    return re.sub(r"\S+@example\.com", "ADDRESS", found.group(1))


def assert_alike(first: list[tuple[float, str, int]], second: list[tuple[float, str, int]]) -> None:
    assert {(answer(page), status) for _, page, status in first + second} == {
        (answer(first[0][1]), 200)
    }
    slow = statistics.median(t for t, _, _ in first)
    fast = statistics.median(t for t, _, _ in second)
    # Every answer is padded to the same floor from the request's start (pacing.py), so no
    # single answer is quicker than it, whichever address was typed...
    assert min(t for t, _, _ in first + second) >= MINIMUM_SECONDS
    # ...and the medians of several interleaved tries (robust to a busy 2-core machine, where
    # one try can stall) stay close: before the outbox, the existing account's answer took 7
    # times as long (the SMTP conversation happened in the request).
    assert max(slow, fast) / min(slow, fast) < 1.5, (slow, fast)


def test_password_reset_answers_alike_and_as_fast_for_known_and_unknown_addresses(
    accounts_app: Flask,
    web: FlaskClient,
    make_person: MakePerson,
    smtp_server: Inbox,
) -> None:
    use_smtp(accounts_app, smtp_server)
    make_person(email="noor@example.com")
    known, unknown = [], []
    for number in range(9):
        # Alternate which one goes first, so that a burst of load hits both alike.
        tries = [
            (known, {"email": "noor@example.com"}),
            (unknown, {"email": f"ghost{number}@example.com"}),
        ]
        for results, data in tries if number % 2 else reversed(tries):
            results.append(timed_post(web, "/auth/forgot", data))
    assert_alike(known, unknown)
    deliver_mail(accounts_app)
    assert {m["To"] for m in smtp_server.messages} == {"noor@example.com"}


def test_registration_answers_alike_for_a_taken_address_and_mails_its_owner(
    accounts_app: Flask,
    web: FlaskClient,
    make_person: MakePerson,
    smtp_server: Inbox,
) -> None:
    use_smtp(accounts_app, smtp_server)
    owner = make_person(email="noor@example.com", name="Noor")
    form = {"name": "Someone", "password": "maple-Reed-compass-64", "lang": "en"}
    taken, fresh = [], []
    for number in range(7):
        taken.append(timed_post(web, "/auth/register", {**form, "email": "noor@example.com"}))
        fresh.append(timed_post(web, "/auth/register", {**form, "email": f"n{number}@example.com"}))
    assert_alike(taken, fresh)
    assert "already exists" not in taken[0][1]

    deliver_mail(accounts_app)
    to_owner = [m for m in smtp_server.messages if m["To"] == "noor@example.com"]
    assert len(to_owner) == 7
    assert to_owner[0]["Subject"] == "Someone tried to create a Sanad account with your address"
    assert "/auth/forgot" in to_owner[0].get_body(("plain",)).get_content()
    # The owner's password still opens the account; the newcomer's does not.
    assert log_in(web, owner.email, "maple-Reed-compass-64").status_code == 400
    assert log_in(web, owner.email, owner.password).status_code == 303


# --- weak passwords ------------------------------------------------------------------------


def test_a_weak_password_is_refused_with_advice_in_english_and_arabic(
    accounts_app: Flask,
    web: FlaskClient,
) -> None:
    form = {"name": "Huda", "email": "huda@example.com", "password": "abcdef123456"}
    english = post_form(web, "/auth/register", {**form, "lang": "en"})
    assert english.status_code == 400
    page = english.get_data(as_text=True)
    assert "This password is easy to guess. Add another word or two" in page
    assert "Avoid sequences like abc or 123." in page

    arabic_browser = accounts_app.test_client()
    arabic_browser.get("/locale/ar")
    arabic = post_form(arabic_browser, "/auth/register", {**form, "lang": "ar"})
    assert arabic.status_code == 400
    page = arabic.get_data(as_text=True)
    assert "يسهل تخمين كلمة المرور هذه" in page
    assert "تجنّب التسلسلات مثل abc أو 123." in page


# --- tokens --------------------------------------------------------------------------------


def test_the_profile_lists_revokes_and_creates_the_person_s_own_tokens(
    accounts_app: Flask,
    web: FlaskClient,
    make_person: MakePerson,
) -> None:
    person = make_person()
    other = make_person(email="other@example.com", name="Other")
    token = make_token(accounts_app, person.info.id, name="nightly export")
    theirs = make_token(accounts_app, other.info.id, name="their script")
    log_in(web, person.email, person.password)

    page = web.get("/auth/profile").get_data(as_text=True)
    assert "nightly export" in page
    assert token[:12] + "…" in page
    assert token not in page
    assert "their script" not in page
    assert "Never" in page  # not used yet

    assert bearer(accounts_app, token) == 200
    assert "Never" not in web.get("/auth/profile").get_data(as_text=True)

    with accounts_app.extensions["sanad"].sessions() as session:
        [mine] = api_tokens.list_api_tokens(session, person.info.id)
        [others] = api_tokens.list_api_tokens(session, other.info.id)
    revoke = f"/auth/tokens/{mine.id}/revoke"
    assert web.post(revoke).status_code == 400  # no CSRF token
    assert bearer(accounts_app, token) == 200
    stolen = web.post(
        f"/auth/tokens/{others.id}/revoke", data={"csrf_token": csrf_token(web, "/auth/profile")}
    )
    assert stolen.status_code == 404
    assert bearer(accounts_app, theirs) == 200

    done = web.post(
        revoke, data={"csrf_token": csrf_token(web, "/auth/profile")}, follow_redirects=True
    )
    assert "The token is revoked." in done.get_data(as_text=True)
    assert "nightly export" not in done.get_data(as_text=True)
    assert bearer(accounts_app, token) == 401

    created = web.post(
        "/auth/tokens",
        data={"csrf_token": csrf_token(web, "/auth/profile"), "name": "laptop", "days": "7"},
    )
    assert created.status_code == 200
    shown = re.search(r'<code class="new-token" dir="ltr">(sanad_[^<]+)</code>', created.text)
    assert shown, "the new token is not shown"
    assert bearer(accounts_app, shown.group(1)) == 200
    # Shown in this answer only: never in a cookie (a flash message would put it there).
    assert shown.group(1) not in created.headers.get("Set-Cookie", "")
    assert shown.group(1) not in web.get("/auth/profile").get_data(as_text=True)


def test_a_password_change_revokes_the_tokens(
    accounts_app: Flask,
    web: FlaskClient,
    make_person: MakePerson,
) -> None:
    person = make_person()
    token = make_token(accounts_app, person.info.id)
    log_in(web, person.email, person.password)
    assert bearer(accounts_app, token) == 200
    web.post(
        "/auth/password",
        data={
            "csrf_token": csrf_token(web, "/auth/profile"),
            "current_password": person.password,
            "new_password": NEW_PASSWORD,
        },
    )
    assert bearer(accounts_app, token) == 401


def test_sign_out_everywhere_ends_other_sessions_and_tokens_but_not_this_one(
    accounts_app: Flask,
    web: FlaskClient,
    make_person: MakePerson,
) -> None:
    person = make_person(name="Noor")
    token = make_token(accounts_app, person.info.id)
    laptop = accounts_app.test_client()
    laptop.get("/locale/en")
    log_in(laptop, person.email, person.password)
    # Logging out keeps the script's token (log-out ends browser sessions, not scripts).
    laptop.post("/auth/logout", data={"csrf_token": csrf_token(laptop, "/auth/profile")})
    assert bearer(accounts_app, token) == 200
    log_in(laptop, person.email, person.password)
    log_in(web, person.email, person.password)

    assert web.post("/auth/sign-out-everywhere").status_code == 400  # CSRF
    done = web.post(
        "/auth/sign-out-everywhere",
        data={"csrf_token": csrf_token(web, "/auth/profile")},
        follow_redirects=True,
    )
    assert "You were signed out everywhere else" in done.get_data(as_text=True)
    assert signed_in_as(web) == "Noor"
    assert signed_in_as(laptop) is None
    assert bearer(accounts_app, token) == 401
