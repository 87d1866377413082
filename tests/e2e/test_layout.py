"""Layout in Chromium: every page of ``tests/e2e/pages.py``, as each role, in Arabic and
English, at a phone's 390 px and a desktop's 1280 px, scrolls only vertically."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.pages import ROLES, PagesSite, pages_site
from tests.e2e.sites import TIMEOUT_MS

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)

# What sticks out, for the failure message: the widest elements past the right or left edge.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const root = document.documentElement;
  if (root.scrollWidth <= width + 1) return null;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && (box.right > width + 1 || box.left < -1)) {
      const classes = typeof el.className === 'string' && el.className
        ? '.' + el.className.split(' ').join('.') : '';
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes;
      out.push(name + ' [' + Math.round(box.left) + '..' + Math.round(box.right) + ']');
    }
  }
  return root.scrollWidth + ' > ' + width + ': ' + out.slice(0, 6).join(', ');
}"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PagesSite]:
    with pages_site(tmp_path_factory.mktemp("layout")) as site:
        yield site


def test_no_page_scrolls_sideways(pages: PagesSite, browser: Any) -> None:
    site = pages.site
    problems: list[str] = []
    for role in ROLES:
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        if role != "visitor":
            context.add_cookies([site.cookie_for(site.users[role])])
        page = context.new_page()
        try:
            for locale in ("ar", "en"):
                context.add_cookies([{"name": "sanad_locale", "value": locale, "url": site.base}])
                for url in pages.urls(role):
                    page.set_viewport_size({"width": WIDTHS[0], "height": 800})
                    response = page.goto(url, wait_until="load")
                    assert response is not None, (role, url)
                    assert response.status == 200, (role, url)
                    assert page.locator("html").get_attribute("lang") == locale, (role, url)
                    for width in WIDTHS:
                        page.set_viewport_size({"width": width, "height": 800})
                        found = page.evaluate(OVERFLOW)
                        if found:
                            problems.append(f"{role} {locale} {width}px {url}: {found}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)


def isolation(page: Any, selector: str) -> tuple[str, str]:
    found = page.locator(selector).first.evaluate(
        "el => [getComputedStyle(el).unicodeBidi, getComputedStyle(el).direction]"
    )
    return found[0], found[1]


def rendered_fonts(page: Any, selector: str) -> set[str]:
    """The font families Chromium actually drew ``selector``'s text with."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"] for font in fonts}


def test_mixed_direction_values_are_isolated_and_latin_matches(
    pages: PagesSite, browser: Any
) -> None:
    site = pages.site
    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    language = {"name": "sanad_locale", "value": "ar", "url": site.base}
    context.add_cookies([site.cookie_for(site.users["requester"]), language])
    page = context.new_page()
    try:
        page.goto(f"{site.base}/tickets/{pages.values['ticket']}", wait_until="load")
        # The reference reads left to right as one unit inside the Arabic heading.
        assert isolation(page, "h1 bdi") == ("isolate", "ltr")
        # A file name (Arabic and Latin) and its size do not reorder each other.
        assert isolation(page, ".attachment-list a bdi")[0] == "isolate"
        assert isolation(page, ".attachment-list bdi.muted") == ("isolate", "ltr")
        # Latin inside Arabic text is drawn with the Latin face made for the Arabic one.
        drawn = rendered_fonts(page, ".attachment-list a bdi")
        assert {"Noto Sans Arabic", "Noto Sans"} <= drawn, drawn
        context.add_cookies([site.cookie_for(site.users["admin"])])
        page.goto(f"{site.base}/admin/users", wait_until="load")
        email = page.locator("td span", has_text="reem.alharbi@example.com")
        assert email.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"
        assert email.evaluate("el => getComputedStyle(el).direction") == "ltr"
    finally:
        context.close()
