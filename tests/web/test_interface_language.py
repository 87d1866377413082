"""The interface language: explicit choice, then the account, then the browser, then the site."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support.signing_in import MakePerson, log_in


def page_lang(client: FlaskClient, path: str = "/auth/login", **headers: str) -> str:
    page = client.get(path, headers=headers).get_data(as_text=True)
    found = re.search(r'<html lang="(\w+)" dir="(\w+)"', page)
    assert found, page[:300]
    return f"{found.group(1)}/{found.group(2)}"


def test_an_english_browser_gets_english_and_an_arabic_one_arabic(app: Flask) -> None:
    client = app.test_client()
    assert page_lang(client, **{"Accept-Language": "en-US,en;q=0.9"}) == "en/ltr"
    assert page_lang(client, **{"Accept-Language": "ar-SA,ar;q=0.9,en;q=0.5"}) == "ar/rtl"
    # Neither offered: the site default (Arabic here).
    assert page_lang(client, **{"Accept-Language": "fr-FR,fr"}) == "ar/rtl"
    assert page_lang(client) == "ar/rtl"


def test_the_language_switch_beats_the_browser_and_sticks(app: Flask) -> None:
    client = app.test_client()
    client.get("/locale/ar")
    for path in ("/auth/login", "/", "/auth/forgot"):
        assert page_lang(client, path, **{"Accept-Language": "en-US"}) == "ar/rtl"


def test_an_english_account_logging_in_from_an_arabic_session_gets_english(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    person = make_person(email="emma@example.com", name="Emma", lang="en")
    client = accounts_app.test_client()
    client.get("/locale/ar")
    assert page_lang(client) == "ar/rtl"

    log_in(client, person.email, person.password)

    assert page_lang(client, "/auth/profile") == "en/ltr"
    # ... and a switch after that still wins, on every page.
    client.get("/locale/ar")
    assert page_lang(client, "/auth/profile") == "ar/rtl"
    assert page_lang(client, "/") == "ar/rtl"


def test_an_arabic_account_on_an_english_browser_gets_arabic(
    accounts_app: Flask, make_person: MakePerson
) -> None:
    person = make_person(email="huda@example.com", name="Huda", lang="ar")
    client = accounts_app.test_client()
    assert page_lang(client, **{"Accept-Language": "en-US"}) == "en/ltr"

    log_in(client, person.email, person.password)

    assert page_lang(client, "/auth/profile", **{"Accept-Language": "en-US"}) == "ar/rtl"
