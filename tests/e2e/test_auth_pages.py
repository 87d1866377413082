"""The account and admin pages in headless Chromium: log in, the user menu, profile, log out,
and every new page once, failing on any console error or CSP violation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from portal.accounts import services as accounts
from portal.db import transaction
from tests.e2e.sites import TIMEOUT_MS, make_app, serve, write_articles

pytestmark = pytest.mark.browser

REQUESTER = ("requester@sanad.example", "palm-Tree-lantern-41")
ADMIN = ("admin@sanad.example", "golden-Falcon-stone-83")


@dataclass
class Server:
    base: str
    app: Flask

    def reset_token(self, email: str) -> str:
        services = self.app.extensions["sanad"]
        with transaction(services.sessions) as session:
            found = accounts.request_password_reset(
                session, services.settings.accounts, email=email, now=dt.datetime.now(dt.UTC)
            )
        assert found is not None
        return found.token


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The portal with the demo accounts, on a free port of 127.0.0.1."""
    root = tmp_path_factory.mktemp("e2e-accounts")
    hours = (
        "---\ntitle: ساعات عمل الدعم\nlang: ar\ncategory: support\n---\n\n"
        "فريق الدعم متاح يوميًا من الساعة 10:00 حتى 16:00.\n"
    )
    articles = write_articles(root, {"support/hours.ar.md": hours}, categories=None, message="kb")
    app = make_app(root, articles, "e2e-secret")
    services = app.extensions["sanad"]
    with transaction(services.sessions) as session:
        accounts.ensure_demo_accounts(
            session, services.settings.accounts, now=dt.datetime.now(dt.UTC)
        )
    with serve(app) as site:
        yield Server(site.base, app)


@dataclass
class Tab:
    page: Any
    server: Server
    artifacts: Path
    errors: list[str] = field(default_factory=list)
    # A refused form comes back with 400, which Chromium logs; tests that expect one say so.
    allowed: list[str] = field(default_factory=list)

    def open(self, path: str) -> Any:
        response = self.page.goto(self.server.base + path, wait_until="load")
        assert response is not None
        return response

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.artifacts / f"{name}.png"), full_page=True)

    def log_in(self, email: str, password: str) -> None:
        self.open("/auth/login")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("form.account-form button[type=submit]")
        self.page.wait_for_load_state("load")


@pytest.fixture
def tab(browser: Any, accounts_server: Server, artifacts: Path) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ar")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page=page, server=accounts_server, artifacts=artifacts)
    page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    yield tab
    context.close()
    unexpected = [e for e in tab.errors if not any(a in e for a in tab.allowed)]
    assert not unexpected, f"console errors: {unexpected}"


def test_log_in_user_menu_profile_and_log_out(tab: Tab) -> None:
    page = tab.page
    tab.open("/")
    page.get_by_role("link", name="تسجيل الدخول").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("dir") == "rtl"
    tab.shot("auth-login-ar")

    page.fill("#email", REQUESTER[0])
    page.fill("#password", REQUESTER[1])
    page.get_by_role("button", name="تسجيل الدخول").click()
    page.wait_for_load_state("load")

    menu = page.locator("details.user-menu summary")
    assert "سارة الطالبة" in menu.inner_text()
    menu.click()
    assert page.locator(".user-menu-list").is_visible()
    # The open menu opens towards the inside of the page: in RTL its right edge stays on screen.
    box = page.locator(".user-menu-list").bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 1280
    tab.shot("auth-user-menu-ar")
    page.get_by_role("link", name="ملفك الشخصي").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="ملفك الشخصي", level=1).is_visible()
    tab.shot("auth-profile-ar")

    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="تسجيل الخروج").click()
    page.wait_for_load_state("load")
    assert page.locator("details.user-menu").count() == 0
    assert "سجّلت خروجك." in page.content()
    tab.open("/auth/profile")
    assert "/auth/login" in page.url


def test_wrong_password_keeps_the_address(tab: Tab) -> None:
    tab.allowed.append("status of 400")
    tab.log_in("nobody@sanad.example", "not-the-Password-1")
    assert tab.page.input_value("#email") == "nobody@sanad.example"
    assert tab.page.input_value("#password") == ""
    assert tab.page.get_by_role("alert").is_visible()


@pytest.mark.parametrize(
    "path", ["/auth/register", "/auth/forgot", "/auth/login?next=/auth/profile"]
)
def test_visitor_pages_render_cleanly(tab: Tab, path: str) -> None:
    response = tab.open(path)
    assert response.status == 200
    assert tab.page.locator("h1").count() == 1
    tab.shot("auth-" + path.split("/")[2].split("?")[0])


def test_forgot_password_answer_and_reset_pages(tab: Tab) -> None:
    page = tab.page
    tab.open("/auth/forgot")
    page.fill("#email", "ghost@sanad.example")
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("status").is_visible()
    tab.shot("auth-forgot-sent")

    token = tab.server.reset_token("trainer@sanad.example")
    tab.open(f"/auth/reset/{token}")
    tab.shot("auth-reset")
    tab.allowed.append("status of 400")
    tab.open("/auth/reset/not-a-real-token")
    page.fill("#password", "brand-New-pass-77")
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("link", name="اطلب رابطًا جديدًا").is_visible()
    tab.shot("auth-reset-invalid")


def test_admin_pages_in_english(tab: Tab) -> None:
    page = tab.page
    tab.open("/locale/en")
    tab.log_in(*ADMIN)
    page.locator("details.user-menu summary").click()
    page.get_by_role("link", name="People").click()
    page.wait_for_load_state("load")
    assert page.locator("table.data-table tbody tr").count() >= 6
    tab.shot("admin-users-en")

    page.fill("#user-q", "trainer")
    page.get_by_role("button", name="Find").click()
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Omar Trainer").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Omar Trainer").is_visible()
    tab.shot("admin-user-en")

    tab.open("/admin/users/new")
    page.fill("#name", "Browser Made")
    page.fill("#email", "browser.made@sanad.example")
    page.fill("#password", "cedar-Ink-harbor-91")
    page.locator("input[name=roles][value=agent]").check()
    page.locator("input[name=roles][value=requester]").uncheck()
    page.select_option("#tier", "2")
    page.locator("form.account-form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", name="Browser Made").is_visible()
    tab.shot("admin-create-done-en")


def test_admin_pages_on_a_phone_do_not_scroll_sideways(tab: Tab) -> None:
    page = tab.page
    page.set_viewport_size({"width": 360, "height": 740})
    tab.log_in(*ADMIN)
    for path in ("/admin/users", "/admin/users/new", "/auth/profile"):
        tab.open(path)
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"{path}: horizontal scroll {widths}"
