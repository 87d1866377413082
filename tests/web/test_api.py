"""The JSON API v1: exact names and shapes (a public contract), validation, visibility."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.support.web import EventCounter

HIT_KEYS = {"id", "lang", "title", "category", "kind", "url", "snippet", "weak", "translations"}
LIST_KEYS = {"id", "lang", "title", "category", "kind", "url", "updated"}


def test_search_shape(site_client: FlaskClient, count_events: EventCounter) -> None:
    response = site_client.get("/api/v1/search", query_string={"q": "password"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert {"query", "total", "page", "hits", "facets", "suggestion"} <= set(body)
    assert body["query"] == "password"
    assert body["page"] == 1
    assert body["per_page"] == 10
    assert body["total"] >= 1
    assert set(body["facets"]) == {"category", "kind", "lang"}
    for hit in body["hits"]:
        assert set(hit) == HIT_KEYS
        assert hit["url"] == f"/kb/{hit['lang']}/{hit['id']}"
    assert any(hit["id"] == "reset-password" for hit in body["hits"])
    assert count_events("search") == 1


def test_search_by_tag_alone_and_other_language_links(site_client: FlaskClient) -> None:
    body = site_client.get("/api/v1/search", query_string={"tag": "password"}).get_json()
    assert body["total"] >= 1
    assert all(hit["url"].startswith("/kb/") for hit in body["hits"])
    found = site_client.get("/api/v1/search", query_string={"q": "password", "lang": "en"})
    hit = next(h for h in found.get_json()["hits"] if h["id"] == "reset-password")
    assert [(t["lang"], t["url"]) for t in hit["translations"]] == [("ar", "/kb/ar/reset-password")]


def test_search_in_arabic_finds_the_arabic_article(site_client: FlaskClient) -> None:
    body = site_client.get("/api/v1/search", query_string={"q": "كلمة المرور"}).get_json()
    assert ("ar", "reset-password") in {(h["lang"], h["id"]) for h in body["hits"]}


def test_search_filters_by_language_and_pages(site_client: FlaskClient) -> None:
    body = site_client.get(
        "/api/v1/search", query_string={"q": "password", "lang": "en", "per_page": 1}
    ).get_json()
    assert body["per_page"] == 1
    assert len(body["hits"]) <= 1
    assert all(hit["lang"] == "en" for hit in body["hits"])


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "1.5"},
        {"page": "99999999999999999999"},
        {"page": "⁰⁴⁵"},  # superscripts pass str.isdigit
        {"page": "1_0"},  # int() reads underscores
        {"page": "+2"},
        {"per_page": "0"},
        {"per_page": "51"},
        {"per_page": "ten"},
        {"lang": "fr"},
        {"lang": "ar'; DROP TABLE events;--"},
        {"kind": "novel"},
    ],
)
def test_search_rejects_bad_parameters_with_json_400(
    site_client: FlaskClient, params: dict[str, str]
) -> None:
    response = site_client.get("/api/v1/search", query_string={"q": "vpn", **params})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert error["message"]


def test_search_without_query_is_not_an_error(site_client: FlaskClient) -> None:
    response = site_client.get("/api/v1/search")
    assert response.status_code == 200
    assert isinstance(response.get_json()["hits"], list)


def test_suggest_shape(site_client: FlaskClient) -> None:
    response = site_client.get("/api/v1/suggest", query_string={"q": "Reset"})
    assert response.status_code == 200
    body = response.get_json()
    assert isinstance(body, list)
    assert 1 <= len(body) <= 5
    for item in body:
        assert {"id", "title", "url"} <= set(item)
        assert item["url"].startswith("/kb/")
    assert site_client.get("/api/v1/suggest").get_json() == []


def test_articles_listing_shape(site_client: FlaskClient) -> None:
    body = site_client.get("/api/v1/articles").get_json()
    assert {"total", "page", "articles"} <= set(body)
    assert body["page"] == 1
    keys = {(a["lang"], a["id"]) for a in body["articles"]}
    assert ("ar", "reset-password") in keys
    assert ("en", "vpn-connect") in keys
    assert ("en", "new-policy") not in keys
    assert ("en", "admin-runbook") not in keys
    assert body["total"] == 5
    for item in body["articles"]:
        assert set(item) == LIST_KEYS
        assert item["url"] == f"/kb/{item['lang']}/{item['id']}"
    dated = next(a for a in body["articles"] if (a["lang"], a["id"]) == ("ar", "reset-password"))
    assert dated["updated"] == "2026-10-01"


def test_articles_listing_filters(site_client: FlaskClient) -> None:
    body = site_client.get(
        "/api/v1/articles", query_string={"lang": "ar", "category": "network"}
    ).get_json()
    assert [(a["lang"], a["id"]) for a in body["articles"]] == [("ar", "wifi-guest")]


@pytest.mark.parametrize("params", [{"page": "0"}, {"page": "x"}, {"lang": "de"}])
def test_articles_listing_rejects_bad_parameters(
    site_client: FlaskClient, params: dict[str, str]
) -> None:
    response = site_client.get("/api/v1/articles", query_string=params)
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400


def test_article_shape(site_client: FlaskClient) -> None:
    response = site_client.get("/api/v1/articles/reset-password", query_string={"lang": "en"})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {
        "id",
        "lang",
        "title",
        "category",
        "kind",
        "tags",
        "updated",
        "url",
        "html",
        "toc",
        "translations",
    }
    assert body["lang"] == "en"
    assert body["title"] == "Reset your password"
    assert body["url"] == "/kb/en/reset-password"
    assert body["tags"] == ["password", "account"]
    assert "<h2" in body["html"]
    assert [entry["title"] for entry in body["toc"]][:2] == ["Before you start", "Steps"]
    assert body["translations"] == [
        {
            "id": "reset-password",
            "lang": "ar",
            "title": "إعادة تعيين كلمة المرور",
            "url": "/kb/ar/reset-password",
        }
    ]


def test_article_defaults_to_the_interface_language(site_client: FlaskClient) -> None:
    assert site_client.get("/api/v1/articles/reset-password").get_json()["lang"] == "ar"
    site_client.get("/locale/en")
    assert site_client.get("/api/v1/articles/reset-password").get_json()["lang"] == "en"
    # Only in English: returned whatever the interface language.
    site_client.get("/locale/ar")
    assert site_client.get("/api/v1/articles/vpn-connect").get_json()["lang"] == "en"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/articles/no-such-article",
        "/api/v1/articles/new-policy",
        "/api/v1/articles/admin-runbook?lang=en",
        "/api/v1/articles/vpn-connect?lang=ar",
        "/api/v1/nothing-here",
    ],
)
def test_unknown_or_hidden_articles_are_json_404(site_client: FlaskClient, path: str) -> None:
    response = site_client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_article_rejects_a_bad_language(site_client: FlaskClient) -> None:
    response = site_client.get("/api/v1/articles/reset-password", query_string={"lang": "xx"})
    assert response.status_code == 400


def test_api_refuses_other_methods_in_json(site_client: FlaskClient) -> None:
    response = site_client.post("/api/v1/search")
    assert response.status_code in (400, 405)
    assert response.get_json()["error"]["status"] == response.status_code
