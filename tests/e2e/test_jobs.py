"""The jobs page in Chromium: an admin reads each job's last run, outcome and next due time in
Arabic (right to left, on a 390 px phone) and in English, and presses "run now", which the
site's own runner answers at once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.db import transaction
from portal.jobs import EXTENSION, BackgroundRunner, JobContext, Runner
from portal.jobs.builtin import JOBS
from tests.e2e.sites import ARTICLES, Site, add_user, make_app, open_page, serve, write_articles

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("jobs")
    app = make_app(root, write_articles(root, ARTICLES), "jobs-secret")
    services = app.extensions["sanad"]
    with transaction(services.sessions) as session:
        admin = add_user(
            session,
            email="admin@example.com",
            name="رنا",
            role="admin",
            now=dt.datetime.now(dt.UTC),
        )
    context = JobContext(
        settings=services.settings, sessions=services.sessions, repository=services.repository
    )
    runner = Runner(context, JOBS)
    runner.run_due()  # every job has a last run to show
    background = BackgroundRunner(runner)
    app.extensions[EXTENSION] = background
    background.start()
    try:
        with serve(app, {"admin": admin}) as site:
            yield site
    finally:
        background.stop()


def _fits(page: Any) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the page scrolls sideways: {scroll} > {client}"


def test_an_admin_reads_the_jobs_and_runs_one_now(
    site: Site, browser: Any, artifacts: Path
) -> None:
    errors: list[str] = []
    page = open_page(browser, site, site.users["admin"], errors)
    page.set_viewport_size(PHONE)
    page.goto(site.base + "/admin/jobs", wait_until="load")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "المهام الدورية"
    cards = page.locator(".job-card")
    assert cards.count() == len(JOBS)
    close = page.locator("#job-close_resolved_tickets")
    assert "إغلاق التذاكر المحلولة" in close.locator("h2").inner_text()
    assert close.locator(".job-ok").inner_text().endswith("نجح")  # a word, not colour alone
    assert close.locator(".job-figure").inner_text() == "تذاكر أُغلقت: 0"  # in the reader's language
    assert "1 في المجموع" in close.inner_text()
    _fits(page)
    page.screenshot(path=str(artifacts / "jobs-ar-390.png"), full_page=True)

    close.get_by_role("button").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/admin/jobs")
    assert "إغلاق التذاكر المحلولة" in page.locator(".notice-success").inner_text()
    deadline = time.monotonic() + 20
    while "2 في المجموع" not in page.locator("#job-close_resolved_tickets").inner_text():
        assert time.monotonic() < deadline, "run now did not run the job"
        time.sleep(0.3)
        page.reload(wait_until="load")
    _fits(page)

    english = open_page(browser, site, site.users["admin"], errors, locale="en")
    english.goto(site.base + "/admin/jobs", wait_until="load")
    assert english.locator("html").get_attribute("dir") == "ltr"
    outbox = english.locator("#job-mail_outbox")
    assert "Send the mail outbox" in outbox.locator("h2").inner_text()
    assert "Every 30 seconds" in outbox.inner_text()
    assert "Succeeded" in outbox.locator(".job-outcome").inner_text()
    english.screenshot(path=str(artifacts / "jobs-en.png"), full_page=True)
    assert not errors, errors
