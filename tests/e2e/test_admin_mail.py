"""The mail pages in Chromium: a requester opens a ticket in the browser and an admin finds
its mail in /admin/mailbox (Arabic, right to left, on a 390 px phone), then in the outbox as
sent; the requester turns a notification off on the profile and sees it stay off."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.db import transaction, utcnow
from portal.notify.outbox import deliver_due
from tests.e2e.sites import ARTICLES, Site, add_user, make_app, open_page, serve, write_articles

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("admin-mail")
    app = make_app(root, write_articles(root, ARTICLES), "admin-mail-secret")
    services = app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        users = {
            "admin": add_user(
                session, email="admin@example.com", name="رنا", role="admin", now=now
            ),
            "requester": add_user(
                session, email="reem@example.com", name="ريم", role="requester", now=now
            ),
        }
    with serve(app, users) as site:
        yield site


def _fits(page: Any) -> None:
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client, f"the page scrolls sideways: {scroll} > {client}"


def test_a_new_tickets_mail_shows_in_the_admin_mailbox(
    site: Site, browser: Any, artifacts: Path
) -> None:
    errors: list[str] = []
    reem = open_page(browser, site, site.users["requester"], errors)
    reem.goto(site.base + "/tickets/new", wait_until="load")
    reem.locator("#subject").fill("الطابعة لا تطبع من الطابق الثالث")
    reem.locator("#body").fill("تظهر رسالة انحشار ورق غير موجود.")
    reem.get_by_role("button", name="أرسل إلى فريق الدعم").click()
    reem.wait_for_url(re.compile(r"/tickets/HD-\d{6}$"))
    reference = reem.url.rsplit("/", 1)[1]
    services = site.app.extensions["sanad"]
    # The site's own sender sends after the commit; this pass only makes sure nothing waits.
    deliver_due(services.sessions, services.settings.mail, utcnow())

    admin = open_page(browser, site, site.users["admin"], errors)
    admin.set_viewport_size(PHONE)
    admin.goto(site.base + "/admin/mailbox", wait_until="load")
    deadline = time.monotonic() + 20
    while reference not in admin.locator("main").inner_text():
        assert time.monotonic() < deadline, "the new ticket's mail never reached the mailbox"
        time.sleep(0.2)
        admin.reload(wait_until="load")
    assert admin.locator("html").get_attribute("dir") == "rtl"
    assert admin.locator("h1").inner_text() == "صندوق البريد المحلي"
    row = admin.locator(".mailbox-table tbody tr", has_text=reference)
    assert "reem@example.com" in row.inner_text()
    _fits(admin)
    admin.screenshot(path=str(artifacts / "mailbox-ar-390.png"), full_page=True)
    row.get_by_role("link").click()
    admin.wait_for_url(re.compile(r"/admin/mailbox/\d+$"))
    text = admin.locator(".mail-text").inner_text()
    assert reference in text
    assert f"/tickets/{reference}" in text  # the tracking link
    assert admin.locator(".mail-text").get_attribute("dir") == "rtl"
    _fits(admin)

    english = open_page(browser, site, site.users["admin"], errors, locale="en")
    english.goto(site.base + "/admin/outbox?status=sent", wait_until="load")
    assert english.locator("html").get_attribute("dir") == "ltr"
    sent = english.locator(".outbox-table tbody tr", has_text=reference)
    assert "Sent" in sent.inner_text()
    # Both pages are reached from the admin's menu.
    assert english.locator('.user-menu-list a[href="/admin/mailbox"]').count() == 1
    assert english.locator('.user-menu-list a[href="/admin/outbox"]').count() == 1
    assert not errors, errors


def test_a_requester_turns_a_notification_off_on_the_profile(site: Site, browser: Any) -> None:
    errors: list[str] = []
    reem = open_page(browser, site, site.users["requester"], errors)
    reem.set_viewport_size(PHONE)
    reem.goto(site.base + "/auth/profile", wait_until="load")
    section = reem.locator("#notifications")
    reply = section.locator('input[value="ticket_reply"]')
    assert reply.is_checked()
    assert "لا يمكن إيقافها" in section.inner_text()  # security mails say they stay on
    reply.uncheck()
    section.get_by_role("button").click()
    reem.wait_for_load_state("load")
    assert "حُفظت اختيارات التنبيه" in reem.locator(".notice-success").inner_text()
    assert not reem.locator('#notifications input[value="ticket_reply"]').is_checked()
    assert reem.locator('#notifications input[value="ticket_opened"]').is_checked()
    _fits(reem)
    assert not errors, errors
