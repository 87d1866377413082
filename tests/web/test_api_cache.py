"""Whole answers of ``GET /api/v1/search`` are cached per index generation, never across them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from tests.support.articles import ArticleWriter
from tests.support.web import EventCounter, MakeAccount, token_for


def ids(client: FlaskClient, q: str, **headers: str) -> list[str]:
    response = client.get("/api/v1/search", query_string={"q": q}, headers=headers)
    assert response.status_code == 200
    return [hit["id"] for hit in response.get_json()["hits"]]


def test_a_repeated_search_is_the_same_answer_and_still_an_event(
    site_client: FlaskClient, count_events: EventCounter
) -> None:
    first = site_client.get("/api/v1/search", query_string={"q": "password"})
    second = site_client.get("/api/v1/search", query_string={"q": "password"})
    assert first.status_code == second.status_code == 200
    assert second.mimetype == "application/json"
    assert first.get_data() == second.get_data()
    assert count_events("search") == 2  # the reports count every search, cached or not


def test_an_edit_is_searchable_at_once_despite_the_cached_answer(
    site: Flask, site_client: FlaskClient, write_article: ArticleWriter
) -> None:
    assert "printer-setup" not in ids(site_client, "zanzibar")
    write_article("printer-setup", "en", "Printer setup", "The zanzibar printer on floor two.")
    site.extensions["sanad"].search.sync()
    assert "printer-setup" in ids(site_client, "zanzibar")


def test_a_retitled_article_is_not_answered_from_the_old_generation(
    site: Flask, site_client: FlaskClient, write_article: ArticleWriter
) -> None:
    write_article("vpn-guide", "en", "Connect to the VPN", "Use the quokka client.")
    site.extensions["sanad"].search.sync()
    body = site_client.get("/api/v1/search", query_string={"q": "quokka"}).get_json()
    assert [hit["title"] for hit in body["hits"]] == ["Connect to the VPN"]
    write_article("vpn-guide", "en", "VPN from home", "Use the quokka client.")
    site.extensions["sanad"].search.sync()
    body = site_client.get("/api/v1/search", query_string={"q": "quokka"}).get_json()
    assert [hit["title"] for hit in body["hits"]] == ["VPN from home"]


def test_an_internal_article_never_reaches_an_anonymous_caller(
    web: Flask, make_account: MakeAccount, articles_dir: Path
) -> None:
    agent = make_account("agent")
    staff = web.test_client()
    anonymous = web.test_client()
    headers = token_for(web, agent)
    for _ in range(2):  # staff first, so that any answer it caches is there to leak
        staff_ids = ids(staff, "runbook", **headers)
        assert "admin-runbook" not in ids(anonymous, "runbook")
        assert "admin-runbook" not in ids(anonymous, "Internal password runbook")
    assert isinstance(staff_ids, list)


def test_an_unpublished_edit_turning_an_article_internal_hides_it(
    site: Flask, site_client: FlaskClient, write_article: ArticleWriter
) -> None:
    write_article("wifi-guide", "en", "Guest wifi", "The wombat network password.")
    site.extensions["sanad"].search.sync()
    assert "wifi-guide" in ids(site_client, "wombat")
    write_article(
        "wifi-guide", "en", "Guest wifi", "The wombat network password.", audience="internal"
    )
    site.extensions["sanad"].search.sync()
    assert "wifi-guide" not in ids(site_client, "wombat")
