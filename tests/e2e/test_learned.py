"""What search learned from use, in Chromium: the knowledge manager reads it in Arabic (RTL)
and English, at 390 px too, removes an association with its form, and search stops using it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.db import transaction
from portal.editorial.learning import learn
from portal.events import record_event
from portal.search.models import SearchQuery
from tests.e2e.sites import ARTICLES, Site, add_user, make_app, open_page, serve, write_articles

pytestmark = pytest.mark.browser

QUERY = "نسيت كلمة المرور"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("learned")
    app = make_app(root, write_articles(root, ARTICLES), "learned-secret")
    services = app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    then = now - dt.timedelta(days=2)
    with transaction(services.sessions) as session:
        manager = add_user(
            session, email="km@example.com", name="منى", role="knowledge_manager", now=now
        )
        # Three browsers: the search, the article, "helpful", no ticket. Two more for VPN.
        for number, (query, article, lang) in enumerate(
            [(QUERY, "reset-password", "ar")] * 3 + [("vpn drops", "vpn-connect", "en")] * 2
        ):
            visitor = f"browser-{number}"
            record_event(session, "search", visitor=visitor, query=query, lang=lang, now=then)
            at = then + dt.timedelta(minutes=1)
            record_event(session, "view", visitor=visitor, article_id=article, lang=lang, now=at)
            record_event(
                session,
                "vote",
                visitor=visitor,
                article_id=article,
                lang=lang,
                data={"helpful": True},
                now=at,
            )
        learn(session, services.settings.search, now)
    services.search.learned.refresh()
    with serve(app, {"manager": manager}) as site:
        yield site


def no_horizontal_scroll(page: Any) -> bool:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return bool(widths[0] <= widths[1])


def test_a_manager_reads_and_removes_what_search_learned(
    site: Site, browser: Any, artifacts: Path
) -> None:
    errors: list[str] = []
    search = site.app.extensions["sanad"].search
    learned_share = search.learned.boosts(QUERY, dt.datetime.now(dt.UTC))
    assert set(learned_share) == {"ar/reset-password"}

    page = open_page(browser, site, site.users["manager"], errors)
    page.goto(site.base + "/attention/learned", wait_until="load")
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.locator("h1").inner_text() == "ما تعلّمه البحث من الاستخدام"
    items = page.locator(".learned-item")
    assert items.count() == 2
    first = items.first.inner_text()
    assert QUERY in first
    assert items.first.locator('a[href="/kb/ar/reset-password"]').count() == 1
    assert "vpn drops" in items.nth(1).inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(artifacts / "learned-ar-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    items.first.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/attention/learned")
    assert page.locator(".flash, [role=status], .alert").count() >= 1
    assert page.locator(".learned-item").count() == 1
    assert QUERY not in page.locator(".learned-list").inner_text()
    search.learned.refresh()
    assert search.learned.boosts(QUERY, dt.datetime.now(dt.UTC)) == {}
    results = search.search(SearchQuery(QUERY, reader_lang="ar"))
    assert results.total > 0  # the article is still found, only no longer raised

    page.goto(site.base + "/attention/learned?show=removed", wait_until="load")
    removed = page.locator(".learned-item").inner_text()
    assert QUERY in removed
    assert "منى" in removed

    english = open_page(browser, site, site.users["manager"], errors, locale="en")
    english.goto(site.base + "/attention/learned", wait_until="load")
    assert english.get_attribute("html", "dir") == "ltr"
    assert english.locator("h1").inner_text() == "Learned from use"
    assert "Independent sessions: 2" in english.locator(".learned-item").inner_text()
    english.set_viewport_size({"width": 390, "height": 844})
    assert no_horizontal_scroll(english)
    english.screenshot(path=str(artifacts / "learned-en-390.png"), full_page=True)
    assert not errors, errors
