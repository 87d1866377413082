"""Pages as a visitor sees them, in Arabic first and in English after the switch."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.support.articles import ArticleWriter
from tests.support.web import EventCounter


def text_of(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_home_is_arabic_and_right_to_left_by_default(site_client: FlaskClient) -> None:
    response = site_client.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert '<html lang="ar" dir="rtl">' in page
    assert "كيف يمكننا مساعدتك؟" in page
    assert "الحسابات وكلمات المرور" in page  # category name from _categories.yml
    assert 'href="/kb/category/accounts"' in page
    assert "المقالات الأكثر فائدة" in page
    assert 'href="/kb/ar/reset-password"' in page
    # Landmarks and the skip link.
    for landmark in ("<header", "<nav", '<main id="main"', "<footer", 'class="skip-link"'):
        assert landmark in page
    assert '<label class="search-label" for="q-large">' in page


def test_home_switches_to_english(english: FlaskClient) -> None:
    page = text_of(english.get("/"))
    assert '<html lang="en" dir="ltr">' in page
    assert "How can we help you?" in page
    assert "Accounts and passwords" in page
    assert 'href="/kb/en/reset-password"' in page


def test_home_lists_the_most_viewed_articles_first(
    site_client: FlaskClient, count_events: EventCounter
) -> None:
    for _ in range(3):
        assert site_client.get("/kb/ar/wifi-guest").status_code == 200
    assert count_events("view") == 3
    page = text_of(site_client.get("/"))
    popular = page.split("المقالات الأكثر فائدة", 1)[1]
    assert popular.index("/kb/ar/wifi-guest") < popular.index("/kb/ar/reset-password")


def test_hidden_articles_are_never_listed(site_client: FlaskClient) -> None:
    for path in ("/", "/kb/category/accounts", "/search?q=password"):
        page = text_of(site_client.get(path))
        assert "Draft password policy" not in page
        assert "Internal password runbook" not in page


def test_search_finds_the_arabic_article_with_highlights(site_client: FlaskClient) -> None:
    response = site_client.get("/search", query_string={"q": "كلمة المرور"})
    assert response.status_code == 200
    page = text_of(response)
    assert 'href="/kb/ar/reset-password"' in page
    assert "<mark>" in page
    assert "نتيجة" in page or "نتائج" in page or "نتيجتان" in page


def test_search_page_reads_an_unreadable_page_number_as_the_first_page(
    site_client: FlaskClient,
) -> None:
    for raw in ("⁰⁴⁵", "1_0", "+2", "99999999999999999999"):
        response = site_client.get("/search", query_string={"q": "password", "page": raw})
        assert response.status_code == 200, raw
        assert 'href="/kb/en/reset-password"' in text_of(response), raw


def test_search_shows_the_language_of_each_hit(site_client: FlaskClient) -> None:
    page = text_of(site_client.get("/search", query_string={"q": "password"}))
    assert 'href="/kb/en/reset-password"' in page
    # An English hit inside the Arabic interface is marked as English, left to right.
    assert re.search(r'<li class="hit" lang="en" dir="ltr">', page)


def test_search_facets_keep_the_query(site_client: FlaskClient) -> None:
    page = text_of(site_client.get("/search", query_string={"q": "password"}))
    facet_links = re.findall(r'href="(/search\?[^"]*lang=[^"]*)"', page)
    assert facet_links
    assert all("q=password" in link for link in facet_links)


def test_search_language_facet_filters(site_client: FlaskClient) -> None:
    page = text_of(site_client.get("/search", query_string={"q": "password", "lang": "en"}))
    assert 'href="/kb/en/reset-password"' in page
    assert '<h2 class="hit-title"><a href="/kb/ar/reset-password"' not in page
    # the Arabic version is reachable from the English hit, not listed as a hit of its own
    assert 'class="hit-translation" href="/kb/ar/reset-password" hreflang="ar"' in page
    assert 'aria-current="true"' in page


def test_search_page_folds_the_weak_tail_under_more_results(
    site: Flask, write_article: ArticleWriter
) -> None:
    write_article(
        "toner", "en", "Replace the printer toner", "Printer toner: open the printer cover."
    )
    filler = " ".join(f"word{n}" for n in range(300))
    for number in range(3):
        write_article(f"long-{number}", "en", f"Meeting rooms {number}", f"{filler} printer.")
    site.extensions["sanad"].search.sync()
    page = text_of(site.test_client().get("/search", query_string={"q": "printer toner"}))
    strong, _, weak = page.partition('<details class="more-results">')
    assert 'href="/kb/en/toner"' in strong
    assert 'href="/kb/en/long-0"' in weak, "a passing mention is folded under more results"


def test_a_tag_alone_lists_its_articles(site_client: FlaskClient) -> None:
    page = text_of(site_client.get("/search", query_string={"tag": "password"}))
    assert '<h2 class="hit-title"><a href="/kb/en/reset-password"' in page


def test_search_without_a_query_explains_what_to_do(site_client: FlaskClient) -> None:
    page = text_of(site_client.get("/search"))
    assert "عمّ تبحث؟" in page


def test_search_with_no_results_offers_help(site_client: FlaskClient) -> None:
    page = text_of(site_client.get("/search", query_string={"q": "zzqxjv"}))
    assert "لم نجد مقالات مطابقة" in page
    assert "ما زلت بحاجة إلى مساعدة؟" in page
    assert "10:00" in page


def test_search_tolerates_bad_filters_and_pages(site_client: FlaskClient) -> None:
    response = site_client.get(
        "/search", query_string={"q": "password", "lang": "xx", "kind": "nope", "page": "-3"}
    )
    assert response.status_code == 200
    assert "reset-password" in text_of(response)


def test_search_records_an_event_and_the_trail(
    site_client: FlaskClient, count_events: EventCounter
) -> None:
    site_client.get("/search", query_string={"q": "vpn"})
    site_client.get("/search", query_string={"q": "كلمة المرور"})
    assert count_events("search") == 2
    with site_client.session_transaction() as session:
        searches = session["trail"]["searches"]
        assert [s["query"] for s in searches] == ["vpn", "كلمة المرور"]
        assert searches[0]["hits"] >= 1
        assert session["visitor"]


def test_category_page_lists_its_articles(site_client: FlaskClient) -> None:
    response = site_client.get("/kb/category/network")
    assert response.status_code == 200
    page = text_of(response)
    assert "<h1" in page
    assert "الشبكة" in page
    assert 'href="/kb/ar/wifi-guest"' in page
    # The VPN article exists only in English: listed, and marked as English.
    assert "متوفرة باللغة English فقط" in page
    assert re.search(r'href="/kb/en/vpn-connect" lang="en" dir="ltr"', page)


def test_unknown_category_is_404(site_client: FlaskClient) -> None:
    response = site_client.get("/kb/category/no-such-topic")
    assert response.status_code == 404
    assert "الصفحة غير موجودة" in text_of(response)


def test_article_page(site_client: FlaskClient, count_events: EventCounter) -> None:
    response = site_client.get("/kb/ar/reset-password")
    assert response.status_code == 200
    page = text_of(response)
    assert '<html lang="ar" dir="rtl">' in page
    assert "<h1" in page
    assert "إعادة تعيين كلمة المرور" in page
    # Breadcrumbs: Home › Category › Article.
    crumbs = page.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    assert (
        crumbs.index("الرئيسية")
        < crumbs.index("الحسابات وكلمات المرور")
        < crumbs.index("إعادة تعيين كلمة المرور")
    )
    assert "في هذه الصفحة" in page  # table of contents
    assert "قبل أن تبدأ" in page
    assert 'href="/kb/en/reset-password"' in page
    assert "Read in English" in page
    assert "آخر تحديث" in page
    assert "ما زلت بحاجة إلى مساعدة؟" in page
    assert count_events("view") == 1
    with site_client.session_transaction() as session:
        assert session["trail"]["views"][-1]["key"] == "ar/reset-password"
        assert session["trail"]["views"][-1]["title"] == "إعادة تعيين كلمة المرور"


def test_english_article_in_the_arabic_interface_is_left_to_right(
    site_client: FlaskClient,
) -> None:
    page = text_of(site_client.get("/kb/en/vpn-connect"))
    assert '<html lang="ar" dir="rtl">' in page
    assert re.search(r'<article class="article" lang="en" dir="ltr"', page)


def test_english_interface_article_links_to_arabic(english: FlaskClient) -> None:
    page = text_of(english.get("/kb/en/reset-password"))
    assert '<html lang="en" dir="ltr">' in page
    assert "اقرأ بالعربية" in page
    assert "Still need help?" in page


def test_still_need_help_links_the_ticket_form(site_client: FlaskClient) -> None:
    page = text_of(site_client.get("/kb/ar/reset-password"))
    box = page.split('class="help-box"', 1)[1].split("</aside>", 1)[0]
    assert 'href="/tickets/new"' in box


def test_hidden_and_unknown_articles_are_404(site_client: FlaskClient) -> None:
    for path in (
        "/kb/en/new-policy",  # draft
        "/kb/en/admin-runbook",  # internal
        "/kb/en/no-such-article",
        "/kb/fr/reset-password",
        "/kb/ar/vpn-connect",  # exists only in English
    ):
        response = site_client.get(path)
        assert response.status_code == 404, path
        assert "الصفحة غير موجودة" in text_of(response)


def test_error_pages_are_translated(english: FlaskClient, site_client: FlaskClient) -> None:
    assert "Page not found" in text_of(english.get("/kb/en/nope"))
    response = english.post("/search")
    assert response.status_code in (400, 405)
    assert "<html" in text_of(response)


def test_trail_stays_small_enough_for_a_cookie(site: Flask) -> None:
    client = site.test_client()
    for number in range(40):
        client.get("/search", query_string={"q": f"سؤال طويل جدًا رقم {number} " + "ب" * 150})
    with client.session_transaction() as session:
        searches = session["trail"]["searches"]
        assert 0 < len(searches) <= 20
        assert searches[-1]["query"].startswith("سؤال طويل جدًا رقم 39")
    cookie = client.get_cookie("sanad_session")
    assert cookie is not None
    assert len(cookie.value) < 4000


def test_a_failing_event_store_never_breaks_the_page(site: Flask) -> None:
    services = site.extensions["sanad"]
    services.engine.dispose()
    with services.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE events")
    client = site.test_client()
    assert client.get("/search", query_string={"q": "vpn"}).status_code == 200
    assert client.get("/kb/ar/reset-password").status_code == 200
    assert client.get("/").status_code == 200
