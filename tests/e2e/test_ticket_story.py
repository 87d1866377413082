"""The core story in Chromium: search in Arabic, read two articles, ask for help with both
already attached, an agent resolves with an article, the requester confirms and rates."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sites import ARTICLES, Person, Site, build_site, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people: dict[str, dict[str, Any]] = {
        "requester": {"email": "requester@example.com", "name": "ريم", "role": "requester"},
        "agent": {
            "email": "agent@example.com",
            "name": "عادل",
            "role": "agent",
            "tier": 1,
            "teams": ("support",),
        },
    }
    root = tmp_path_factory.mktemp("story")
    with build_site(root, ARTICLES, "story-secret", people, message="story knowledge base") as site:
        yield site


@pytest.fixture
def people(browser: Any, site: Site) -> Iterator[dict[str, Person]]:
    """One browser context per person, signed in, collecting console errors (CSP included)."""
    with signed_in(browser, site) as people:
        yield people


def test_the_ticket_story(site: Site, people: dict[str, Person], artifacts: Path) -> None:
    reem = people["requester"].page
    reem.goto(site.base + "/", wait_until="load")
    box = reem.locator("#q-large")
    box.fill("كلمة المرور")
    box.press("Enter")
    reem.wait_for_url(re.compile(r"/search\?"))
    reem.locator('a[href="/kb/ar/reset-password"]').first.click()
    reem.wait_for_url(re.compile(r"/kb/ar/reset-password$"))
    reem.goto(site.base + "/kb/ar/two-step", wait_until="load")
    reem.locator('.help-box a[href="/tickets/new"]').click()
    reem.wait_for_url(re.compile(r"/tickets/new$"))

    # The form arrives with the search as the subject and both articles ticked.
    assert reem.locator("#subject").input_value() == "كلمة المرور"
    assert reem.locator('input[name="views"][value="ar/reset-password"]').is_checked()
    assert reem.locator('input[name="views"][value="ar/two-step"]').is_checked()
    assert reem.locator('input[name="searches"][value="كلمة المرور"]').is_checked()
    # Suggestions appear while the subject is being typed.
    reem.locator("#subject").fill("نسيت كلمة المرور ولا يصلني الرمز")
    reem.locator(".ticket-suggestions a").first.wait_for()
    reem.locator("#body").fill("طلبت الرمز ثلاث مرات ولم يصل إلى هاتفي.")
    reem.screenshot(path=str(artifacts / "ticket-new-ar.png"), full_page=True)
    reem.get_by_role("button", name="أرسل إلى فريق الدعم").click()
    reem.wait_for_url(re.compile(r"/tickets/HD-\d{6}$"))
    reference = reem.url.rsplit("/", 1)[1]
    assert "طلبت الرمز ثلاث مرات" in reem.locator(".conversation").inner_text()

    adel = people["agent"].page
    adel.goto(site.base + "/agent", wait_until="load")
    adel.locator(f'a[href="/agent/tickets/{reference}"]').click()
    tried = adel.locator(".ticket-trail").inner_text()
    assert "نسيت كلمة المرور؟ أعد تعيينها بنفسك" in tried
    assert "تفعيل التحقق بخطوتين" in tried
    assert "كلمة المرور" in tried
    adel.locator("[data-action-bar] [aria-controls=act-resolve]").click()
    # The article is found by words of its title, never by its id.
    adel.locator("#resolve-article").press_sequentially("أعد تعيينها", delay=30)
    option = adel.locator("#resolve-article-results [role=option]").first
    option.wait_for(state="visible")
    assert "نسيت كلمة المرور" in option.inner_text()
    option.click()
    chosen = adel.locator("#act-resolve .chosen-article input[name=article_ids]")
    assert chosen.get_attribute("value") == "reset-password"
    assert adel.locator("#resolve-article").input_value() == ""
    adel.locator("#resolve-note").fill("أرسلنا الرمز إلى رقمك الجديد.")
    adel.screenshot(path=str(artifacts / "ticket-agent-ar.png"), full_page=True)
    adel.get_by_role("button", name="حُلّ التذكرة").click()
    adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))
    assert "محلولة" in adel.locator(".ticket-facts").inner_text()

    reem.reload(wait_until="load")
    assert "نسيت كلمة المرور؟ أعد تعيينها بنفسك" in reem.locator(".linked-articles").inner_text()
    reem.get_by_role("button", name="نعم، حُلّت").click()
    reem.wait_for_url(re.compile(rf"/tickets/{reference}$"))
    reem.locator('input[name="rating"][value="5"]').check()
    reem.locator("#rating-comment").fill("شكرًا على السرعة")
    reem.get_by_role("button", name="أرسل التقييم").click()
    reem.wait_for_url(re.compile(rf"/tickets/{reference}$"))
    assert "تقييمك: 5 من 5" in reem.locator(".rating").inner_text()
    assert "مغلقة" in reem.locator("h1 + p").inner_text()
    assert "أرسلنا الرمز إلى رقمك الجديد." in reem.locator(".resolution").inner_text()
    assert "ما جرّبته من قبل" in reem.locator(".ticket-trail").inner_text()
    reem.screenshot(path=str(artifacts / "ticket-closed-ar.png"), full_page=True)
