"""Security headers, CSP-safe templates, the locale switch's redirect and cookie flags."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.config import PROJECT_ROOT
from portal.web.security import safe_next

TEMPLATES = PROJECT_ROOT / "templates"


def assert_hardened(headers: object) -> None:
    csp = headers["Content-Security-Policy"]  # type: ignore[index]
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert headers["X-Frame-Options"] == "DENY"  # type: ignore[index]
    assert headers["Referrer-Policy"]  # type: ignore[index]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/search?q=vpn",
        "/kb/en/reset-password",
        "/kb/category/accounts",
        "/nope",
        "/api/v1/search?q=vpn",
        "/api/v1/articles/nope",
        "/static/css/sanad.css",
    ],
)
def test_every_response_carries_the_security_headers(site_client: FlaskClient, path: str) -> None:
    with site_client.get(path) as response:  # closes the static file it streams
        assert response.status_code < 500
        assert_hardened(response.headers)


def test_templates_have_no_inline_script_style_or_event_handler() -> None:
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    style_attribute = re.compile(r"\sstyle\s*=", re.IGNORECASE)
    style_element = re.compile(r"<style\b", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    javascript_url = re.compile(r"javascript:", re.IGNORECASE)
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (inline_script, style_attribute, style_element, handler, javascript_url):
            assert not pattern.search(text), f"{template.name}: {pattern.pattern}"


def test_static_files_are_cache_busted(site_client: FlaskClient) -> None:
    page = site_client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/css/sanad\.css\?v=[0-9a-f]{12})"', page)
    assert match, "the stylesheet link carries a content version"
    with site_client.get(match.group(1)) as response:
        assert response.status_code == 200
        assert response.cache_control.max_age
        assert response.cache_control.max_age > 86400


def test_session_cookie_is_httponly_and_lax(site_client: FlaskClient) -> None:
    response = site_client.get("/search?q=password")
    cookies = response.headers.getlist("Set-Cookie")
    cookie = next(v for v in cookies if v.startswith("sanad_session"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_when_configured(
    app_overrides: dict[str, object], kb_articles: object
) -> None:
    from portal import create_app

    app = create_app({**app_overrides, "session_cookie_secure": True})
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        response = app.test_client().get("/locale/en")
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        app.extensions["sanad"].close()


def _cookies(response: object) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    headers = response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
    return {value.partition("=")[0]: value for value in headers}


def _session_and_locale(client: FlaskClient, **request: object) -> dict[str, str]:
    """The cookies of a page that stores the trail (session) and of the language switch."""
    cookies = _cookies(client.get("/search?q=password", **request))  # type: ignore[arg-type]
    cookies |= _cookies(client.get("/locale/en", **request))  # type: ignore[arg-type]
    assert {"sanad_session", "sanad_locale"} <= cookies.keys()
    return cookies


def test_cookies_are_not_secure_over_plain_http(site_client: FlaskClient) -> None:
    """Development on http://localhost keeps its session: a Secure cookie would be dropped."""
    cookies = _session_and_locale(site_client)
    assert all("Secure" not in value for value in cookies.values())


def test_cookies_are_secure_over_https(site: Flask) -> None:
    client = site.test_client()
    cookies = _session_and_locale(client, base_url="https://localhost")
    assert "Secure" in cookies["sanad_session"]
    assert "Secure" in cookies["sanad_locale"]


@pytest.mark.parametrize("app_overrides", [{"SANAD_TRUSTED_PROXIES": "1"}], indirect=True)
def test_cookies_are_secure_behind_a_trusted_tls_proxy(site: Flask) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    cookies = _session_and_locale(site.test_client(), headers=forwarded)
    assert "Secure" in cookies["sanad_session"]
    assert "Secure" in cookies["sanad_locale"]


def test_a_forwarded_scheme_from_an_untrusted_client_changes_nothing(
    site_client: FlaskClient,
) -> None:
    # Without SANAD_TRUSTED_PROXIES the header is the client's own claim, not the proxy's.
    cookies = _session_and_locale(site_client, headers={"X-Forwarded-Proto": "https"})
    assert all("Secure" not in value for value in cookies.values())


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x=1",
        "\t//evil.example",
        "/ok\r\nLocation: https://evil.example",
        "evil.example",
    ],
)
def test_locale_switch_refuses_to_redirect_off_site(client: FlaskClient, target: str) -> None:
    response = client.get("/locale/en", query_string={"next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert "evil" not in location or location.startswith("/%")


def test_locale_switch_returns_to_the_page_and_sets_the_cookie(client: FlaskClient) -> None:
    response = client.get("/locale/en", query_string={"next": "/search?q=vpn"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/search?q=vpn"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("sanad_locale=en")
    assert "SameSite=Lax" in cookie


def test_locale_switch_rejects_unknown_languages(client: FlaskClient) -> None:
    assert client.get("/locale/fr").status_code == 404


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/kb/ar/x?y=1#z", "/kb/ar/x?y=1#z"),
        ("/", "/"),
        ("", None),
        (None, None),
        ("//x", None),
        ("/\\x", None),
        ("https://x/", None),
        ("/a\nb", None),
        ("x/y", None),
    ],
)
def test_safe_next(target: str | None, expected: str | None) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1 http"), (1, "203.0.113.7 https")])
def test_forwarded_client_address_is_trusted_only_from_configured_proxies(
    app_overrides: dict[str, object], proxies: int, seen: str
) -> None:
    from flask import request

    from portal import create_app

    app = create_app({**app_overrides, "trusted_proxies": proxies})
    app.add_url_rule("/_whoami", "whoami", lambda: f"{request.remote_addr} {request.scheme}")
    try:
        headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        response = app.test_client().get("/_whoami", headers=headers)
        assert response.get_data(as_text=True) == seen
    finally:
        app.extensions["sanad"].close()
