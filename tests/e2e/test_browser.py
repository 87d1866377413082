"""Every page a person sees, in headless Chromium: Arabic first, right to left, no CSP errors."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sites import TIMEOUT_MS

pytestmark = pytest.mark.browser


@dataclass
class Tab:
    """A page plus everything the console said, so a test fails on any error or CSP violation."""

    page: Any
    base: str
    artifacts: Path
    errors: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        response = self.page.goto(self.base + path, wait_until="load")
        return response

    def shot(self, name: str, full_page: bool = True) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=full_page)


@pytest.fixture
def tab(browser: Any, live_server: str, artifacts: Path) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ar")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page=page, base=live_server, artifacts=artifacts)
    page.on(
        "console",
        lambda message: tab.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    yield tab
    context.close()
    unexpected = [e for e in tab.errors if not any(a in e for a in tab.allowed)]
    assert not unexpected, f"console errors: {unexpected}"


def box(page: Any, selector: str) -> dict[str, float]:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not visible"
    return dict(found)


def computed(page: Any, selector: str, prop: str) -> str:
    return str(page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}"))


def assert_no_horizontal_scroll(page: Any) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"horizontal scroll: {widths}"


def test_home_in_arabic(tab: Tab) -> None:
    tab.open("/")
    page = tab.page
    assert page.get_attribute("html", "lang") == "ar"
    assert computed(page, "body", "direction") == "rtl"
    assert page.locator("h1").inner_text() == "كيف يمكننا مساعدتك؟"
    assert page.get_by_label("ابحث في مركز المساعدة").count() == 1
    assert page.locator(".category-card").count() == 3
    # The brand sits at the right edge, as Arabic readers expect.
    assert box(page, ".brand")["x"] > box(page, ".site-nav")["x"]
    tab.shot("home-ar")
    tab.shot("home-ar-top", full_page=False)  # the README's docs/screenshot.png
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_search_as_you_type_in_arabic(tab: Tab) -> None:
    tab.open("/")
    page = tab.page
    field_ = page.locator("#q-large")
    field_.press_sequentially("كلمه المرور", delay=30)
    options = page.locator("[role=listbox] [role=option]")
    options.first.wait_for(state="visible")
    assert "كلمة المرور" in options.first.inner_text()
    assert field_.get_attribute("aria-expanded") == "true"
    tab.shot("suggest-ar")
    field_.press("ArrowDown")
    assert field_.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    field_.press("Escape")
    assert field_.get_attribute("aria-expanded") == "false"
    field_.press("Enter")
    page.wait_for_url("**/search?q=*")
    hits = page.locator(".hit-title a")
    hits.first.wait_for()
    titles = hits.all_inner_texts()
    assert any("كلمة المرور" in title for title in titles)
    assert page.locator("mark").count() >= 1
    tab.shot("search-ar")


def test_suggestion_opens_the_article_with_the_keyboard(tab: Tab) -> None:
    tab.open("/")
    page = tab.page
    field_ = page.locator("#q-large")
    field_.press_sequentially("كلمة المر", delay=30)
    page.locator("[role=option]").first.wait_for(state="visible")
    field_.press("ArrowDown")
    field_.press("Enter")
    page.wait_for_url("**/kb/**")
    assert "كلمة المرور" in page.locator("h1").inner_text()


def test_article_in_arabic_is_right_to_left_with_the_sidebar_on_the_right(tab: Tab) -> None:
    tab.open("/search?q=" + "كلمة المرور")
    page = tab.page
    page.locator(".hit-title a[href='/kb/ar/reset-password']").click()
    page.wait_for_url("**/kb/ar/reset-password")
    assert computed(page, ".article", "direction") == "rtl"
    article, aside = box(page, ".article"), box(page, ".article-aside")
    assert aside["x"] > article["x"] + article["width"] / 2, "the sidebar is on the right"
    assert page.locator(".toc a").count() >= 3
    assert page.locator(".breadcrumbs li").count() == 3
    assert page.get_by_role("link", name="Read in English").count() == 1
    assert page.locator(".help-box h2").inner_text() == "ما زلت بحاجة إلى مساعدة؟"
    tab.shot("article-ar")


def test_english_article_inside_the_arabic_interface_is_left_to_right(tab: Tab) -> None:
    tab.open("/kb/en/vpn-connect")
    page = tab.page
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute(".article", "dir") == "ltr"
    assert computed(page, ".article", "direction") == "ltr"
    assert computed(page, ".article-body p", "direction") == "ltr"
    # The feedback box speaks the interface's language inside the other-language article.
    assert page.get_attribute("#feedback", "lang") == "ar"
    assert computed(page, "#feedback h2", "direction") == "rtl"
    assert "هل" in (page.text_content("#feedback h2") or "")


def test_language_switch_and_english_layout(tab: Tab) -> None:
    tab.open("/kb/ar/reset-password")
    page = tab.page
    page.locator(".site-nav .lang-switch").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.url.endswith("/kb/ar/reset-password")
    assert computed(page, "body", "direction") == "ltr"
    page.get_by_role("link", name="Read in English").click()
    page.wait_for_url("**/kb/en/reset-password")
    assert page.locator("h1").inner_text() == "Forgot your password? Reset it yourself"
    article, aside = box(page, ".article"), box(page, ".article-aside")
    assert aside["x"] + aside["width"] <= article["x"] + 1, "the sidebar is on the left"
    assert page.get_by_role("link", name="اقرأ بالعربية").count() == 1
    tab.shot("article-en")
    tab.open("/")
    assert page.locator("h1").inner_text() == "How can we help you?"
    tab.shot("home-en")


def test_category_page(tab: Tab) -> None:
    tab.open("/")
    page = tab.page
    page.locator(".category-card[href='/kb/category/network']").click()
    page.wait_for_url("**/kb/category/network")
    assert page.locator("h1").inner_text() == "الشبكة"
    assert page.locator(".article-link").count() == 2
    english_only = page.locator(".article-link[href='/kb/en/vpn-connect']")
    assert english_only.get_attribute("dir") == "ltr"
    tab.shot("category-ar")


def test_not_found_page(tab: Tab) -> None:
    tab.allowed.append("404")
    response = tab.open("/kb/ar/no-such-article")
    assert response.status == 404
    page = tab.page
    assert page.locator("h1").inner_text() == "الصفحة غير موجودة"
    assert page.get_by_label("ابحث في مركز المساعدة").count() == 1
    tab.shot("not-found-ar")


@pytest.mark.parametrize(
    "path", ["/", "/search?q=vpn", "/kb/ar/reset-password", "/kb/category/accounts"]
)
def test_phone_has_no_horizontal_scroll(tab: Tab, path: str) -> None:
    page = tab.page
    page.set_viewport_size({"width": 360, "height": 740})
    tab.open(path)
    assert_no_horizontal_scroll(page)
    name = path.strip("/").replace("/", "-").replace("?q=", "-") or "home"
    tab.shot(f"phone-{name}")
