"""A fresh install with no articles yet: every page answers, nothing is a server error."""

from __future__ import annotations

from flask import Flask


def test_pages_work_before_the_first_article(synced_app: Flask) -> None:
    client = synced_app.test_client()
    for url in ("/", "/search?q=password", "/kb/category/accounts", "/api/v1/articles"):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        assert response.status_code < 500
    assert client.get("/").status_code == 200
    listing = client.get("/api/v1/articles").get_json()
    assert listing["total"] == 0
    assert listing["articles"] == []
    found = client.get("/api/v1/search?q=password").get_json()
    assert found["total"] == 0
    assert found["hits"] == []
