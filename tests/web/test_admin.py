"""The user administration pages: only for admins; find, create, change roles, deactivate,
reactivate and unlock people."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.signing_in import (
    LOGIN_FAILED,
    PASSWORD,
    MakePerson,
    Person,
    csrf_token,
    log_in,
    signed_in_as,
)


@pytest.fixture
def admin(accounts_app: Flask, make_person: MakePerson) -> FlaskClient:
    """A browser with the English interface where an administrator is logged in."""
    browser = accounts_app.test_client()
    browser.get("/locale/en")
    person = make_person("root@example.com", name="Rana Admin", roles=("admin",))
    assert log_in(browser, person.email, person.password).status_code == 303
    return browser


def press(client: FlaskClient, page: str, action: str) -> str:
    """Press the button of ``page`` whose form posts to ``action``; the page that follows."""
    token = csrf_token(client, page)
    response = client.post(action, data={"csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_visitors_are_sent_to_log_in_and_requesters_are_refused(
    accounts_app: Flask,
    make_person: MakePerson,
) -> None:
    visitor = accounts_app.test_client()
    response = visitor.get("/admin/users")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login?next=/admin/users")

    requester = make_person("sara@example.com")
    agent = make_person("khalid@example.com", roles=("agent",))
    for person in (requester, agent):
        client = accounts_app.test_client()
        log_in(client, person.email, person.password)
        assert client.get("/admin/users").status_code == 403
        assert client.get(f"/admin/users/{person.info.id}").status_code == 403
        assert "/admin/users" not in client.get("/auth/profile").get_data(as_text=True)


def test_admin_finds_people_by_name_or_address_and_role(
    admin: FlaskClient,
    make_person: MakePerson,
) -> None:
    make_person("sara@example.com", name="Sara Nasser")
    make_person("khalid@example.com", name="Khalid Omar", roles=("agent",))

    page = admin.get("/admin/users?q=nasser").get_data(as_text=True)
    assert "Sara Nasser" in page
    assert "Khalid Omar" not in page

    page = admin.get("/admin/users?role=agent").get_data(as_text=True)
    assert "Khalid Omar" in page
    assert "Sara Nasser" not in page


def test_the_people_list_is_paginated(admin: FlaskClient, make_person: MakePerson) -> None:
    for number in range(27):
        make_person(f"p{number:02d}@example.com", name=f"Person {number:02d}")
    first = admin.get("/admin/users?q=person").get_data(as_text=True)
    second = admin.get("/admin/users?q=person&page=2").get_data(as_text=True)
    assert "People found: 27" in first
    assert "Person 00" in first
    assert "Person 26" not in first
    assert "Person 26" in second
    assert 'rel="next"' in first


def test_admin_creates_an_agent_who_can_then_log_in(
    accounts_app: Flask,
    admin: FlaskClient,
) -> None:
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(admin, "/admin/users/new"),
            "name": "Mona Agent",
            "email": "mona@example.com",
            "password": PASSWORD,
            "lang": "ar",
            "roles": ["agent"],
            "tier": "2",
            "teams": "support, network",
        },
    )
    assert response.status_code == 303
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mona Agent" in page
    assert 'value="network, support"' in page

    mona = accounts_app.test_client()
    assert log_in(mona, "mona@example.com", PASSWORD).status_code == 303
    me = mona.get("/api/v1/me").get_json()
    assert me["roles"] == ["agent"]
    assert me["tier"] == 2
    assert me["teams"] == ["network", "support"]


def test_create_form_keeps_the_input_and_names_the_problem(
    admin: FlaskClient,
    make_person: MakePerson,
) -> None:
    make_person("taken@example.com")
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": csrf_token(admin, "/admin/users/new"),
            "name": "Second Person",
            "email": "taken@example.com",
            "password": PASSWORD,
            "lang": "en",
            "roles": ["requester"],
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An account with this e-mail address already exists." in page
    assert 'value="Second Person"' in page


def test_role_changes_apply_to_a_logged_in_person_at_once(
    accounts_app: Flask,
    admin: FlaskClient,
    make_person: MakePerson,
) -> None:
    person = make_person("sara@example.com", name="Sara")
    sara = accounts_app.test_client()
    log_in(sara, person.email, person.password)
    assert sara.get("/admin/users").status_code == 403

    page = f"/admin/users/{person.info.id}"
    response = admin.post(
        page,
        data={"csrf_token": csrf_token(admin, page), "roles": ["requester", "admin"], "tier": ""},
        follow_redirects=True,
    )
    assert "The roles are saved." in response.get_data(as_text=True)
    assert sara.get("/admin/users").status_code == 200


def test_an_admin_cannot_drop_their_own_admin_role(admin: FlaskClient) -> None:
    me = admin.get("/api/v1/me").get_json()
    page = f"/admin/users/{me['id']}"
    response = admin.post(page, data={"csrf_token": csrf_token(admin, page), "roles": ["agent"]})
    assert response.status_code == 400
    assert admin.get("/admin/users").status_code == 200


def test_deactivation_logs_the_person_out_and_reactivation_lets_them_back(
    accounts_app: Flask,
    admin: FlaskClient,
    make_person: MakePerson,
) -> None:
    person = make_person("sara@example.com", name="Sara")
    sara = accounts_app.test_client()
    sara.get("/locale/en")
    log_in(sara, person.email, person.password)
    page = f"/admin/users/{person.info.id}"

    after = press(admin, page, f"{page}/deactivate")
    assert "Deactivated" in after
    assert signed_in_as(sara) is None
    assert LOGIN_FAILED in log_in(sara, person.email, person.password).get_data(as_text=True)

    press(admin, page, f"{page}/reactivate")
    assert log_in(sara, person.email, person.password).status_code == 303


def test_admin_unlocks_an_account_locked_by_failed_log_ins(
    accounts_app: Flask,
    admin: FlaskClient,
    make_person: MakePerson,
) -> None:
    person: Person = make_person("sara@example.com", name="Sara")
    sara = accounts_app.test_client()
    for _ in range(5):
        log_in(sara, person.email, "wrong-Password-000")
    assert log_in(sara, person.email, person.password).status_code == 400

    page = f"/admin/users/{person.info.id}"
    before = admin.get(page).get_data(as_text=True)
    assert "Log-ins paused after failed attempts, until" in before
    after = press(admin, page, f"{page}/unlock")
    assert "is unlocked" in after
    assert log_in(sara, person.email, person.password).status_code == 303


def test_admin_actions_need_csrf_and_a_real_person(admin: FlaskClient) -> None:
    assert admin.post("/admin/users/1/unlock").status_code == 400
    token = csrf_token(admin, "/admin/users")
    assert admin.post("/admin/users/9999/unlock", data={"csrf_token": token}).status_code == 404
    assert admin.get("/admin/users/9999").status_code == 404
    assert re.search(r"People found: 1\b", admin.get("/admin/users").get_data(as_text=True))
