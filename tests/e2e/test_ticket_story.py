"""The core story in Chromium: search in Arabic, read two articles, ask for help with both
already attached, an agent resolves with an article, the requester confirms and rates."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.models import UserInfo
from portal.accounts.services import create_user
from portal.accounts.settings import AccountSettings
from portal.db import transaction, upgrade_database
from tests.e2e.conftest import ARTICLES, TIMEOUT_MS
from tests.web.conftest import CATEGORIES_YML, compile_catalogs

pytestmark = pytest.mark.browser

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)


@dataclass
class Site:
    base: str
    app: Flask
    users: dict[str, UserInfo] = field(default_factory=dict)

    def cookie_for(self, user: UserInfo) -> dict[str, Any]:
        """A signed session cookie for ``user``, as the log-in page would set it."""
        serializer = self.app.session_interface.get_signing_serializer(self.app)  # type: ignore[attr-defined]
        value = serializer.dumps({"_user_id": user.auth_token, "_fresh": True})
        return {"name": "sanad_session", "value": value, "url": self.base}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=e2e@sanad.invalid", "-c", "user.name=e2e", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    compile_catalogs()
    root = tmp_path_factory.mktemp("story")
    articles = root / "articles"
    articles.mkdir()
    (articles / "_categories.yml").write_text(CATEGORIES_YML, encoding="utf-8")
    for name, text in ARTICLES.items():
        path = articles / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    _git(articles, "init", "-q", "-b", "main")
    _git(articles, "add", "-A")
    _git(articles, "commit", "-q", "-m", "story knowledge base")
    database_url = f"sqlite:///{root / 'sanad.db'}"
    upgrade_database(database_url)
    app = create_app(
        {
            "instance_dir": root / "instance",
            "database_url": database_url,
            "articles_dir": articles,
            "index_dir": root / "search_index",
            "secret_key": "story-secret",
        }
    )
    services = app.extensions["sanad"]
    services.search.sync()
    users = {}
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        for role, name in (("requester", "ريم"), ("agent", "عادل")):
            users[role] = create_user(
                session,
                CHEAP,
                email=f"{role}@example.com",
                name=name,
                password="correct-Horse-battery-9",
                roles=(role,),
                lang="ar",
                tier=1 if role == "agent" else None,
                teams=("support",) if role == "agent" else (),
                now=now,
            )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", app, users)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        services.search.close()
        services.engine.dispose()


@dataclass
class Person:
    page: Any
    errors: list[str]


@pytest.fixture
def people(browser: Any, site: Site) -> Iterator[dict[str, Person]]:
    """One browser context per person, signed in, collecting console errors (CSP included)."""
    contexts = []
    people = {}
    for role, user in site.users.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
        context.set_default_timeout(TIMEOUT_MS)
        context.add_cookies([site.cookie_for(user)])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error, e=errors: e.append(f"page error: {error}"))
        contexts.append(context)
        people[role] = Person(page, errors)
    yield people
    for context in contexts:
        context.close()
    for role, person in people.items():
        assert not person.errors, f"console errors for {role}: {person.errors}"


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
    adel.locator("#resolve-article").fill("reset-password")
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
