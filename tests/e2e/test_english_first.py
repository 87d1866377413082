"""English is a first language too (issue 10), in Chromium: the interface language follows the
browser for visitors and the account at log-in; an explicit switch wins and sticks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.sites import ARTICLES, PASSWORD, TIMEOUT_MS, VIEWPORT, Site, build_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people = {
        "emma": {"email": "emma@example.com", "name": "Emma", "role": "agent", "lang": "en"},
        "huda": {"email": "huda@example.com", "name": "هدى", "role": "agent", "lang": "ar"},
    }
    root = tmp_path_factory.mktemp("english-first")
    with build_site(root, ARTICLES, "english-first-secret", people, message="kb") as site:
        yield site


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(locale: str) -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale=locale)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def html_lang(page: Any) -> tuple[str, str]:
    root = page.locator("html")
    return root.get_attribute("lang"), root.get_attribute("dir")


def log_in(page: Any, site: Site, email: str) -> None:
    page.goto(site.base + "/auth/login", wait_until="load")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator('main button[type="submit"]').click()
    page.wait_for_load_state("load")


def test_an_en_us_browser_gets_english_and_an_arabic_one_arabic(site: Site, new_page: Any) -> None:
    english = new_page("en-US")
    english.goto(site.base + "/", wait_until="load")
    assert html_lang(english) == ("en", "ltr")
    assert "Log in" in english.locator("header").inner_text()

    arabic = new_page("ar-SA")
    arabic.goto(site.base + "/", wait_until="load")
    assert html_lang(arabic) == ("ar", "rtl")


def test_an_english_account_logging_in_from_an_arabic_session_gets_english(
    site: Site, new_page: Any
) -> None:
    page = new_page("ar-SA")
    page.goto(site.base + "/", wait_until="load")
    page.locator("header a.lang-switch").click()  # to English ...
    page.wait_for_load_state("load")
    page.locator("header a.lang-switch").click()  # ... and back: an explicit Arabic choice
    page.wait_for_load_state("load")
    assert html_lang(page) == ("ar", "rtl")

    log_in(page, site, "emma@example.com")

    assert html_lang(page) == ("en", "ltr")
    page.goto(site.base + "/agent/queue", wait_until="load")
    assert html_lang(page) == ("en", "ltr")


def test_the_switch_sticks_after_log_in(site: Site, new_page: Any) -> None:
    page = new_page("en-US")
    log_in(page, site, "huda@example.com")
    assert html_lang(page) == ("ar", "rtl")  # her account's language, not the browser's

    page.locator("header a.lang-switch").click()
    page.wait_for_load_state("load")
    assert html_lang(page) == ("en", "ltr")
    for path in ("/agent/queue", "/auth/profile", "/"):
        page.goto(site.base + path, wait_until="load")
        assert html_lang(page) == ("en", "ltr"), path
