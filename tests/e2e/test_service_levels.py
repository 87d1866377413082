"""Service levels in Chromium: the queue shows working time left (words and colour) with what
breaches first on top, the ticket page explains the deadline period by period, the requester
sees when to expect an answer, and a breached ticket is resolved only with its root cause."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.db import transaction
from portal.tickets.intake import open_ticket
from portal.tickets.service_levels import run_sla
from portal.tickets.values import TicketDraft
from tests.e2e.sites import ARTICLES, Site, add_user, make_app, open_page, serve, write_articles

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("sla")
    app = make_app(root, write_articles(root, ARTICLES), "sla-secret")
    services = app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        people = {
            "agent": add_user(
                session, email="agent@example.com", name="Adel", role="agent", tier=1,
                teams=("support",), now=now, lang="en",
            ),
            "tier2": add_user(
                session, email="tier2@example.com", name="Tariq", role="agent", tier=2,
                teams=("support",), now=now, lang="en",
            ),
            "admin": add_user(
                session, email="admin@example.com", name="Amal", role="admin", now=now, lang="en"
            ),
            "requester": add_user(
                session, email="r@example.com", name="Reem", role="requester", now=now, lang="en"
            ),
        }  # fmt: skip
        settings = services.settings.tickets
        late = open_ticket(
            session, settings, requester=people["requester"], now=now - dt.timedelta(days=12),
            draft=TicketDraft(subject="Printer jams every morning", body="Since Monday", lang="en"),
        )  # fmt: skip
        fresh = open_ticket(
            session, settings, requester=people["requester"], now=now,
            draft=TicketDraft(subject="VPN asks twice for a code", body="Each log-in", lang="en"),
        )  # fmt: skip
        run_sla(session, now, settings)
    with serve(app, people) as served:
        served.app.config["late"] = late.ticket.reference
        served.app.config["fresh"] = fresh.ticket.reference
        yield served


def test_queue_ticket_page_and_root_cause(site: Site, browser: Any, artifacts: Path) -> None:
    late, fresh = site.app.config["late"], site.app.config["fresh"]
    errors: list[str] = []
    tier2 = open_page(browser, site, site.users["tier2"], errors, locale="en")
    tier2.set_viewport_size(PHONE)
    tier2.goto(site.base + "/agent?sort=due", wait_until="load")
    rows = tier2.locator(".ticket-table tbody tr")
    first = rows.nth(0)
    assert late in first.inner_text()  # escalated to tier 2 and first: it breaches first
    assert "Overdue by" in first.locator(".sla-breached").inner_text()
    fresh_row = tier2.locator(".ticket-table tbody tr", has_text=fresh)
    assert "working time left" in fresh_row.locator(".sla").inner_text()
    tier2.screenshot(path=str(artifacts / "sla-queue-390.png"), full_page=True)

    tier2.goto(site.base + f"/agent/tickets/{fresh}", wait_until="load")
    explained = tier2.locator(".sla-explanation").inner_text()
    assert "48 working hours:" in explained
    assert explained.count("–") >= 8  # one period per working day counted

    tier2.goto(site.base + f"/agent/tickets/{late}", wait_until="load")
    tier2.locator("[data-action-bar] [aria-controls=act-resolve]").click()
    form = tier2.locator(".resolve-form")
    form.locator("#resolve-note").fill("Replaced the roller.")
    form.locator("#root-cause-note").evaluate("node => node.removeAttribute('required')")
    form.locator("button[type=submit]").click()
    tier2.wait_for_load_state("load")
    assert "root cause" in tier2.locator(".flash-error").inner_text()
    form = tier2.locator(".resolve-form")  # the refused form comes back open, as it was typed
    assert form.locator("#resolve-note").input_value() == "Replaced the roller."  # kept
    form.locator("#root-cause-code").select_option("staffing")
    form.locator("#root-cause-note").fill("Only one agent on shift that week.")
    form.locator("button[type=submit]").click()
    tier2.wait_for_load_state("load")
    assert tier2.locator(".flash-success").count() == 1

    requester = open_page(browser, site, site.users["requester"], errors, locale="en")
    requester.set_viewport_size(PHONE)
    requester.goto(site.base + f"/tickets/{fresh}", wait_until="load")
    expect = requester.locator(".sla-explanation")
    assert "When to expect an answer" in expect.inner_text()
    assert expect.locator("time").count() >= 1
    requester.screenshot(path=str(artifacts / "sla-requester-390.png"), full_page=True)

    arabic = open_page(browser, site, site.users["tier2"], errors, locale="ar")
    arabic.goto(site.base + "/agent?sort=due", wait_until="load")
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    assert arabic.locator(".ticket-table .sla").count() == 1  # the late one is resolved now
    arabic.screenshot(path=str(artifacts / "sla-queue-ar.png"), full_page=True)
    assert not errors, errors


def test_admins_keep_calendar_holidays_overrides_policies_and_codes(
    site: Site, browser: Any, artifacts: Path
) -> None:
    errors: list[str] = []
    admin = open_page(browser, site, site.users["admin"], errors, locale="en")
    admin.set_viewport_size(PHONE)
    page_url = site.base + "/admin/service-levels/"
    admin.goto(page_url, wait_until="load")
    assert admin.locator("#day-monday").input_value() == "10:00-16:00"

    # A bad period is refused with the reason, and what was typed stays.
    admin.locator("#day-friday").fill("16:00-10:00")
    admin.locator("#week-form button[type=submit]").click()
    admin.wait_for_load_state("load")
    assert admin.locator("#week-form .flash-error").count() == 1
    assert admin.locator("#day-friday").input_value() == "16:00-10:00"
    admin.locator("#day-friday").fill("closed")
    admin.locator("#week-form button[type=submit]").click()
    admin.wait_for_load_state("load")
    assert admin.locator("#day-friday").input_value() == "closed"

    # Eid al-Adha 1447 on the Hijri calendar: four Gregorian days.
    form = admin.locator("#holiday-form")
    form.locator("#holiday-name").fill("Eid al-Adha")
    form.locator("#holiday-date").fill("1447-12-10")
    form.locator("input[value=hijri]").check()
    form.locator("#holiday-days").fill("4")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state("load")
    listed = admin.locator("section[aria-labelledby=holidays-title] .sla-list").inner_text()
    assert listed.count("Eid al-Adha") == 4
    assert "1447-12-13" in listed

    form = admin.locator("#override-form")
    form.locator("#override-name").fill("Ramadan 1448")
    form.locator("#override-first").fill("1448-09-01")
    form.locator("#override-last").fill("1448-09-29")
    form.locator("input[value=hijri]").check()
    form.locator("#override-periods").fill("10:00-15:00")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state("load")
    assert "Ramadan 1448" in admin.locator("section[aria-labelledby=overrides-title]").inner_text()

    new_policy = admin.locator(".policy-form").last
    new_policy.locator("input[name=name]").fill("urgent")
    new_policy.locator("select[name=priority]").select_option("urgent")
    new_policy.locator("input[name=first_response_minutes]").fill("120")
    new_policy.locator("button[type=submit]").click()
    admin.wait_for_load_state("load")
    assert admin.locator(".policy-form input[name=name][value=urgent]").count() == 1

    form = admin.locator("#root-cause-form")
    form.locator("#code").fill("outage")
    form.locator("#label-en").fill("A system was down")
    form.locator("#label-ar").fill("تعطّل أحد الأنظمة")
    form.locator("button[type=submit]").click()
    admin.wait_for_load_state("load")
    assert "A system was down" in admin.locator("section[aria-labelledby=codes-title]").inner_text()
    admin.screenshot(path=str(artifacts / "sla-admin-390.png"), full_page=True)
    assert _no_overflow(admin)

    arabic = open_page(browser, site, site.users["admin"], errors, locale="ar")
    arabic.set_viewport_size(PHONE)
    arabic.goto(page_url, wait_until="load")
    assert arabic.locator("html").get_attribute("dir") == "rtl"
    assert "تعطّل أحد الأنظمة" in arabic.locator("section[aria-labelledby=codes-title]").inner_text()
    # Everything kept above is listed and manageable in Arabic too, at 390 px, in RTL.
    assert "Ramadan 1448" in arabic.locator("section[aria-labelledby=overrides-title]").inner_text()
    assert arabic.locator(".policy-form input[name=name][value=urgent]").count() == 1
    arabic.screenshot(path=str(artifacts / "sla-admin-ar-390.png"), full_page=True)
    assert _no_overflow(arabic)

    agent = open_page(browser, site, site.users["agent"], errors, locale="en")
    response = agent.goto(page_url, wait_until="load")
    assert response.status == 403
    # The refused week form answered 400 and the agent 403: no other console errors.
    assert not [e for e in errors if "400" not in e and "403" not in e], errors


def _no_overflow(page: Any) -> bool:
    """The page is no wider than the phone's viewport (no horizontal scrolling)."""
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return bool(scroll <= client)
