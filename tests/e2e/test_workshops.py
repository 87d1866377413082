"""Workshops in Chromium: a trainer writes a workshop guide in the editor (/review/drafts/new)
and publishes it; it is on the Workshops page and found by search; it prints cleanly."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sites import ARTICLES, Person, Site, build_site, signed_in
from tests.support.articles import CATEGORIES_YML

pytestmark = pytest.mark.browser

WORKSHOPS_CATEGORY = """\
workshops:
  order: 4
  ar: {name: ورش العمل, description: ورش تطبيقية وأدلتها}
  en: {name: Workshops, description: Hands-on workshops and their guides}
"""
TITLE = "Workshop: strong passphrases for trainers"
NEXT_MONTH = (dt.date.today() + dt.timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people = {
        "trainer": {"email": "trainer@example.com", "name": "Tariq Trainer", "role": "trainer"}
    }
    with build_site(
        tmp_path_factory.mktemp("workshops"),
        ARTICLES,
        "workshops-secret",
        people,
        lang="en",
        categories=CATEGORIES_YML + WORKSHOPS_CATEGORY,
        message="workshops knowledge base",
    ) as site:
        yield site


@pytest.fixture
def trainer(browser: Any, site: Site) -> Iterator[Person]:
    with signed_in(browser, site, locale="en") as people:
        yield people["trainer"]


def test_trainer_publishes_a_workshop_guide(site: Site, trainer: Person, artifacts: Path) -> None:
    page = trainer.page
    page.goto(f"{site.base}/review/drafts/new", wait_until="load")
    page.locator("#title").fill(TITLE)
    page.locator("#lang").select_option("en")
    page.locator("#kind").select_option("workshop")
    page.locator("#category").select_option("workshops")
    page.locator("#markdown").fill(
        "## Objectives\n\nParticipants choose and store strong passphrases.\n\n"
        "## Exercise\n\nBuild a passphrase from four random words."
    )
    page.locator("#audience_note").fill("For trainers who run sessions on the e-training platform.")
    page.locator("#schedule-0-date").fill(NEXT_MONTH)
    page.locator("#schedule-0-time").fill("10:00")
    page.locator("#schedule-0-offset").fill("+03:00")
    page.locator("#schedule-0-duration_minutes").fill("90")
    page.locator("#schedule-0-place").fill("Training room 1")
    page.locator("#schedule-0-online_url").fill("https://meet.example.org/passphrases")
    page.locator("#modules-0-title").fill("Why passwords fail")
    page.locator("#modules-0-minutes").fill("30")
    page.locator("#modules-1-title").fill("Build your passphrase")
    page.locator("#modules-1-minutes").fill("60")
    page.locator("#prerequisites").fill("A laptop\nYour work account")
    page.locator("#materials").fill("Passphrase worksheet")
    page.locator("form.editor-form button[type=submit]:not([name])").click()
    page.wait_for_url(re.compile(r"/review/drafts/[^/]+$"))
    draft_id = page.url.rsplit("/", 1)[1]
    page.locator(f'form[action="/review/drafts/{draft_id}/approve"] button').click()
    page.wait_for_load_state("load")

    # On the Workshops page, as an upcoming session with its place and online link.
    page.goto(f"{site.base}/workshops", wait_until="load")
    upcoming = page.locator(".workshops-upcoming")
    assert TITLE in upcoming.inner_text()
    assert "Training room 1" in upcoming.inner_text()
    assert "90 minutes" in upcoming.inner_text()
    assert upcoming.locator('a[href="https://meet.example.org/passphrases"]').count() == 1
    page.screenshot(path=str(artifacts / "workshops-en.png"), full_page=True)

    # Found by search, and its page shows the guide's facts and ordered modules.
    page.goto(f"{site.base}/search?q=passphrase+workshop", wait_until="load")
    link = page.locator("main a", has_text=TITLE).first
    link.click()
    page.wait_for_url(re.compile(r"/kb/en/"))
    block = page.locator(".workshop")
    text = block.inner_text()
    assert "For trainers who run sessions" in text
    assert text.index("Why passwords fail") < text.index("Build your passphrase")
    assert "Total: 90 minutes" in text

    # Printing: navigation, search and buttons are gone; the guide stays.
    page.emulate_media(media="print")
    assert not page.locator(".site-nav").is_visible()
    assert not page.locator(".header-search").is_visible()
    assert not page.locator(".article-aside").is_visible()
    assert block.is_visible()
    page.pdf(path=str(artifacts / "workshop-guide-print.pdf"))
    page.screenshot(path=str(artifacts / "workshop-guide-print.png"), full_page=True)

    # The Arabic interface prints right to left.
    page.context.add_cookies([{"name": "sanad_locale", "value": "ar", "url": site.base}])
    page.goto(f"{site.base}/workshops", wait_until="load")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert not page.locator(".site-nav").is_visible()
