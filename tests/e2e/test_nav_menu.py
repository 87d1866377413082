"""The main navigation on a phone: at 390 px the links sit behind one "Menu" that opens from
the keyboard, without script, on the correct side in both directions; at 1280 px every link
shows in the header and there is no menu button."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.sites import ARTICLES, Site, build_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people = {"agent": {"email": "agent@example.com", "name": "عادل", "role": "agent", "tier": 1}}
    with build_site(tmp_path_factory.mktemp("nav"), ARTICLES, "nav-secret", people) as site:
        yield site


@pytest.mark.parametrize("locale", ["ar", "en"])
def test_phone_menu_opens_from_the_keyboard(site: Site, browser: Any, locale: str) -> None:
    # Script switched off: the menu needs none.
    context = browser.new_context(
        viewport={"width": 390, "height": 800}, java_script_enabled=False, locale=locale
    )
    language = {"name": "sanad_locale", "value": locale, "url": site.base}
    context.add_cookies([site.cookie_for(site.users["agent"]), language])
    page = context.new_page()
    try:
        page.goto(site.base + "/", wait_until="load")
        toggle = page.locator(".nav-menu-toggle")
        queue = page.locator('.site-nav a[href="/agent"]')
        assert toggle.is_visible()
        assert queue.is_hidden()
        toggle.focus()
        page.keyboard.press("Enter")
        assert queue.is_visible()
        panel = page.locator(".nav-list").bounding_box()
        assert panel["x"] >= 0
        assert panel["x"] + panel["width"] <= 390
        # The panel hangs from the menu button's end side: right in English, left in Arabic.
        button = toggle.bounding_box()
        if locale == "en":
            assert abs(panel["x"] + panel["width"] - (button["x"] + button["width"])) < 2
        else:
            assert abs(panel["x"] - button["x"]) < 2
        page.keyboard.press("Tab")  # focus moves into the opened list
        assert page.evaluate("document.activeElement.closest('.nav-list') !== null")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Enter")
        assert queue.is_hidden()

        page.set_viewport_size({"width": 1280, "height": 800})
        assert toggle.is_hidden()
        assert queue.is_visible()
        assert page.locator(".site-nav .lang-switch").is_visible()
    finally:
        context.close()
