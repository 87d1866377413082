"""Log-in, log-out, sessions, registration, profile, password reset, rate limits, bearer tokens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.accounts import services as accounts
from portal.db import transaction, utcnow
from portal.web.limits import enable_limits
from tests.support.mail import Inbox
from tests.support.signing_in import (
    LOGIN_FAILED,
    PASSWORD,
    MakePerson,
    csrf_token,
    deliver_mail,
    log_in,
    log_out,
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


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("sanad_session")
    assert cookie is not None
    return cookie.value


# --- log in --------------------------------------------------------------------------------


def test_log_in_shows_the_person_in_the_header_and_goes_to_next(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person(name="Noor Haddad")
    assert signed_in_as(web) is None

    response = log_in(web, person.email, person.password, next_="/auth/profile")

    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/profile"
    assert signed_in_as(web) == "Noor Haddad"


def test_unknown_address_and_wrong_password_get_the_same_answer(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person()

    wrong_password = log_in(web, person.email, "not-the-Password-99")
    unknown = log_in(web, "nobody@example.com", person.password)

    assert wrong_password.status_code == unknown.status_code == 400
    for response in (wrong_password, unknown):
        page = response.get_data(as_text=True)
        assert LOGIN_FAILED in page
    # The form keeps the typed address, never the password.
    assert 'value="nobody@example.com"' in unknown.get_data(as_text=True)
    assert person.password not in unknown.get_data(as_text=True)
    assert signed_in_as(web) is None


def test_next_pointing_to_another_site_is_ignored(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person()
    response = log_in(web, person.email, person.password, next_="//evil.example/steal")
    assert response.headers["Location"] == "/"


def test_account_locks_after_repeated_failures_with_the_same_message(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person()
    for _ in range(5):
        assert LOGIN_FAILED in log_in(web, person.email, "wrong-Password-000").get_data(
            as_text=True
        )

    locked = log_in(web, person.email, person.password)

    assert locked.status_code == 400
    assert LOGIN_FAILED in locked.get_data(as_text=True)
    assert signed_in_as(web) is None


def test_log_in_form_refuses_a_post_without_its_csrf_token(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person()
    response = web.post("/auth/login", data={"email": person.email, "password": person.password})
    assert response.status_code == 400
    assert signed_in_as(web) is None


def test_a_form_left_open_after_logging_out_elsewhere_says_it_expired(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person()
    log_in(web, person.email, person.password)
    stale = csrf_token(web, "/auth/profile")
    log_out(web)
    response = web.post("/auth/profile", data={"csrf_token": stale, "name": "X", "lang": "en"})
    assert response.status_code == 400
    assert "The form expired. Please try again." in response.get_data(as_text=True)


# --- sessions ------------------------------------------------------------------------------


def test_log_out_makes_a_copied_cookie_worthless(web: FlaskClient, make_person: MakePerson) -> None:
    person = make_person()
    log_in(web, person.email, person.password)
    copied = session_cookie(web)

    response = log_out(web)
    assert response.status_code == 303
    assert signed_in_as(web) is None

    web.set_cookie("sanad_session", copied)
    assert signed_in_as(web) is None
    assert web.get("/auth/profile").status_code == 303


def test_log_out_needs_a_post_with_csrf(web: FlaskClient, make_person: MakePerson) -> None:
    person = make_person(name="Noor")
    log_in(web, person.email, person.password)
    assert web.get("/auth/logout").status_code == 405
    assert web.post("/auth/logout").status_code == 400
    assert signed_in_as(web) == "Noor"


def test_password_change_ends_the_other_sessions_but_not_this_one(
    accounts_app: Flask, web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person(name="Noor")
    other = accounts_app.test_client()
    other.get("/locale/en")
    log_in(web, person.email, person.password)
    log_in(other, person.email, person.password)

    response = web.post(
        "/auth/password",
        data={
            "csrf_token": csrf_token(web, "/auth/profile"),
            "current_password": person.password,
            "new_password": NEW_PASSWORD,
        },
        follow_redirects=True,
    )

    assert "Your password is changed." in response.get_data(as_text=True)
    assert signed_in_as(web) == "Noor"
    assert signed_in_as(other) is None
    assert log_in(other, person.email, NEW_PASSWORD).status_code == 303


def test_password_change_with_a_wrong_current_password_says_so(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person()
    log_in(web, person.email, person.password)
    response = web.post(
        "/auth/password",
        data={
            "csrf_token": csrf_token(web, "/auth/profile"),
            "current_password": "not-my-Password-1",
            "new_password": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "The current password is wrong." in response.get_data(as_text=True)


def test_deactivation_signs_the_person_out_at_once(
    accounts_app: Flask, web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person()
    log_in(web, person.email, person.password)
    with transaction(accounts_app.extensions["sanad"].sessions) as session:
        accounts.deactivate_user(session, person.info.id, now=utcnow())
    assert signed_in_as(web) is None


# --- registration and profile --------------------------------------------------------------


def test_registration_creates_a_requester_who_is_mailed_and_can_log_in(
    accounts_app: Flask, web: FlaskClient, smtp_server: Inbox
) -> None:
    response = post_form(
        web,
        "/auth/register",
        {"name": "Huda", "email": "Huda@Example.com", "password": PASSWORD, "lang": "en"},
    )
    assert response.status_code == 200
    assert "Check your e-mail" in response.get_data(as_text=True)
    assert smtp_server.messages == []  # queued with the account, sent after the answer
    deliver_mail(accounts_app)
    [welcome] = smtp_server.messages
    assert welcome["To"] == "huda@example.com"
    assert welcome["Subject"] == "Your Sanad account is ready"
    assert log_in(web, "huda@example.com", PASSWORD).status_code == 303
    assert signed_in_as(web) == "Huda"
    me = web.get("/api/v1/me").get_json()
    assert me["email"] == "huda@example.com"
    assert me["roles"] == ["requester"]


def test_registration_keeps_what_was_typed_and_explains_a_weak_password(
    web: FlaskClient,
) -> None:
    response = post_form(
        web,
        "/auth/register",
        {
            "name": "Huda Salem",
            "email": "huda@example.com",
            "password": "password1234",
            "lang": "en",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This password is too common" in page
    assert 'value="Huda Salem"' in page
    assert 'value="huda@example.com"' in page
    assert "password1234" not in page


@pytest.mark.parametrize("app_overrides", [{"SANAD_REGISTRATION_ENABLED": "false"}], indirect=True)
def test_registration_is_a_404_when_switched_off(accounts_app: Flask) -> None:
    client = accounts_app.test_client()
    assert client.get("/auth/register").status_code == 404
    assert "/auth/register" not in client.get("/auth/login").get_data(as_text=True)


def test_profile_changes_the_name_and_the_interface_language(
    web: FlaskClient, make_person: MakePerson
) -> None:
    person = make_person(name="Noor")
    log_in(web, person.email, person.password)
    response = web.post(
        "/auth/profile",
        data={"csrf_token": csrf_token(web, "/auth/profile"), "name": "نور", "lang": "ar"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "حُفظ ملفك الشخصي." in page
    assert signed_in_as(web) == "نور"


def test_profile_needs_a_log_in(web: FlaskClient) -> None:
    response = web.get("/auth/profile?tab=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/auth/login?next=/auth/profile?tab%3D1"


# --- forgotten password --------------------------------------------------------------------


def _reset_link(inbox: Inbox) -> str:
    body = inbox.messages[-1].get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/auth/reset/\S+", body.get_content())
    assert found, "no reset link in the mail"
    return found.group(0)


def test_password_reset_end_to_end_through_real_smtp(
    accounts_app: Flask, web: FlaskClient, make_person: MakePerson, smtp_server: Inbox
) -> None:
    person = make_person(email="noor@example.com", lang="en")

    asked = post_form(web, "/auth/forgot", {"email": "NOOR@example.com"})
    assert asked.status_code == 200
    deliver_mail(accounts_app)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["To"] == "noor@example.com"
    link = _reset_link(smtp_server)
    path = link[link.index("/auth/reset/") :]

    done = post_form(web, path, {"password": NEW_PASSWORD})
    assert done.status_code == 303

    assert log_in(web, person.email, person.password).status_code == 400
    assert log_in(web, person.email, NEW_PASSWORD).status_code == 303
    # The link works once.
    web2 = accounts_app.test_client()
    web2.get("/locale/en")
    reused = post_form(web2, path, {"password": "another-Fresh-pass-55"})
    assert reused.status_code == 400
    assert "This link no longer works" in reused.get_data(as_text=True)


def test_forgot_password_answers_the_same_for_unknown_addresses(
    accounts_app: Flask, web: FlaskClient, make_person: MakePerson, smtp_server: Inbox
) -> None:
    make_person(email="noor@example.com")

    known = post_form(web, "/auth/forgot", {"email": "noor@example.com"}).get_data(as_text=True)
    unknown = post_form(web, "/auth/forgot", {"email": "ghost@example.com"}).get_data(as_text=True)
    deliver_mail(accounts_app)

    def answer(page: str) -> str:
        return re.sub(r"\S+@example\.com", "ADDRESS", page.split('role="status">')[1].split("<")[0])

    assert answer(known) == answer(unknown)
    assert [m["To"] for m in smtp_server.messages] == ["noor@example.com"]


def test_reset_with_an_unknown_token_explains_the_link_is_dead(web: FlaskClient) -> None:
    response = post_form(web, "/auth/reset/not-a-token", {"password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "Ask for a new link" in response.get_data(as_text=True)


# --- rate limits ---------------------------------------------------------------------------


def test_eleventh_log_in_from_one_address_within_a_minute_is_refused(
    accounts_app: Flask, web: FlaskClient
) -> None:
    enable_limits(accounts_app)
    for number in range(10):
        response = log_in(web, f"guess{number}@example.com", "wrong-Password-000")
        assert response.status_code == 400
    refused = log_in(web, "guess10@example.com", "wrong-Password-000")
    assert refused.status_code == 429
    assert "Too many requests" in refused.get_data(as_text=True)


def test_guessing_one_address_from_many_ips_is_limited_per_address(
    accounts_app: Flask, web: FlaskClient
) -> None:
    enable_limits(accounts_app)
    statuses = []
    for number in range(11):
        token = csrf_token(web, "/auth/login")
        response = web.post(
            "/auth/login",
            data={"csrf_token": token, "email": "target@example.com", "password": "x"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{number + 1}"},
        )
        statuses.append(response.status_code)
    assert statuses == [400] * 10 + [429]


def test_limits_are_off_in_testing_apps(web: FlaskClient) -> None:
    statuses = {log_in(web, f"g{n}@example.com", "x").status_code for n in range(12)}
    assert statuses == {400}


# --- API bearer tokens ---------------------------------------------------------------------


@pytest.fixture
def api_token(accounts_app: Flask, make_person: MakePerson) -> str:
    person = make_person(email="script@example.com", name="Script", roles=("agent",))
    with transaction(accounts_app.extensions["sanad"].sessions) as session:
        return accounts.create_api_token(session, email=person.email, now=dt.datetime.now(dt.UTC))


def test_bearer_token_authenticates_an_api_call_without_setting_cookies(
    accounts_app: Flask, api_token: str
) -> None:
    client = accounts_app.test_client()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {api_token}"})
    assert response.status_code == 200
    assert response.get_json()["email"] == "script@example.com"
    assert response.get_json()["via_token"] is True
    assert "Set-Cookie" not in response.headers


def test_api_without_credentials_answers_401_json(accounts_app: Flask) -> None:
    client = accounts_app.test_client()
    missing = client.get("/api/v1/me")
    unknown = client.get("/api/v1/me", headers={"Authorization": "Bearer sanad_nope"})
    for response in (missing, unknown):
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401


def test_bearer_token_stops_working_when_the_account_is_deactivated(
    accounts_app: Flask, api_token: str
) -> None:
    services = accounts_app.extensions["sanad"]
    with transaction(services.sessions) as session:
        user = accounts.find_user_by_email(session, "script@example.com")
        accounts.deactivate_user(session, user.id, now=utcnow())
    response = accounts_app.test_client().get(
        "/api/v1/me", headers={"Authorization": f"Bearer {api_token}"}
    )
    assert response.status_code == 401


def test_bearer_token_does_not_log_in_html_pages(accounts_app: Flask, api_token: str) -> None:
    response = accounts_app.test_client().get(
        "/auth/profile", headers={"Authorization": f"Bearer {api_token}"}
    )
    assert response.status_code == 303
