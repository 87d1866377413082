"""Content health in Chromium: a visitor says an Arabic article did not help and why, the
knowledge manager reads it, sees what needs attention, and readers are told when a
translation may be out of date."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.services import create_user
from portal.accounts.settings import AccountSettings
from portal.db import transaction, upgrade_database
from portal.editorial.attention import scan_attention
from portal.tickets import services as tickets
from portal.tickets.values import TicketDraft
from tests.e2e.conftest import ARTICLES, TIMEOUT_MS
from tests.web.conftest import CATEGORIES_YML, compile_catalogs

pytestmark = pytest.mark.browser

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
OLD_GUIDE = """\
    ---
    title: دليل الطابعات القديم
    lang: ar
    category: support
    owner: it-service-desk
    review_by: 2020-01-01
    ---

    هذا الدليل يحتاج إلى مراجعة.
    """


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=e2e@sanad.invalid", "-c", "user.name=e2e", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, str]]:
    compile_catalogs()
    root = tmp_path_factory.mktemp("attention")
    articles = root / "articles"
    articles.mkdir()
    (articles / "_categories.yml").write_text(CATEGORIES_YML, encoding="utf-8")
    files = {**ARTICLES, "support/old-guide.ar.md": OLD_GUIDE}
    for name, text in files.items():
        path = articles / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    _git(articles, "init", "-q", "-b", "main")
    _git(articles, "add", "-A")
    _git(articles, "commit", "-q", "-m", "knowledge base")
    # The English version changes after the Arabic one: the Arabic one is now behind.
    english = articles / "accounts/reset-password.en.md"
    english.write_text(
        english.read_text(encoding="utf-8") + "\nIf no code arrives, call 4444.\n", encoding="utf-8"
    )
    _git(articles, "commit", "-q", "-am", "reset-password: the help line")
    database_url = f"sqlite:///{root / 'sanad.db'}"
    upgrade_database(database_url)
    app = create_app(
        {
            "instance_dir": root / "instance",
            "database_url": database_url,
            "articles_dir": articles,
            "index_dir": root / "search_index",
            "secret_key": "attention-secret",
        }
    )
    services = app.extensions["sanad"]
    services.search.sync()
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        manager = create_user(
            session, CHEAP, email="km@example.com", name="منى", password="correct-Horse-battery-9",
            roles=("knowledge_manager",), lang="ar", now=now,
        )  # fmt: skip
        agent = create_user(
            session, CHEAP, email="agent@example.com", name="عادل",
            password="correct-Horse-battery-9", roles=("agent",), lang="ar", tier=1,
            teams=("support",), now=now,
        )  # fmt: skip
        requester = create_user(
            session, CHEAP, email="r@example.com", name="ريم", password="correct-Horse-battery-9",
            roles=("requester",), lang="ar", now=now,
        )  # fmt: skip
        opened = tickets.open_ticket(
            session,
            services.tickets,
            requester=requester,
            draft=TicketDraft(subject="لا يصلني رمز التحقق", body="طلبته ثلاث مرات."),
            now=now,
        )
        tickets.flag_article(
            session, agent, opened.ticket.reference, article_id="two-step",
            reason="لا تذكر ماذا أفعل إذا ضاع الهاتف", now=now,
        )  # fmt: skip
        scan_attention(session, services.repository, services.settings, now=now)
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie = serializer.dumps({"_user_id": manager.auth_token, "_fresh": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app, cookie
    finally:
        server.shutdown()
        thread.join(timeout=10)
        services.search.close()
        services.engine.dispose()


def _page(browser: Any, errors: list[str], cookie: tuple[str, str] | None = None) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ar")
    context.set_default_timeout(TIMEOUT_MS)
    if cookie is not None:
        context.add_cookies([{"name": "sanad_session", "value": cookie[1], "url": cookie[0]}])
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return page


def test_feedback_attention_and_stale_translation(
    site: tuple[str, Any, str], browser: Any, artifacts: Path
) -> None:
    base, _app, cookie = site
    errors: list[str] = []
    reader = _page(browser, errors)
    reader.goto(base + "/kb/ar/reset-password", wait_until="load")
    # UI strings come from the catalog: the test checks structure and the people's own words.
    notice = reader.locator(".translation-notice")
    assert notice.is_visible()
    assert notice.locator('a[href="/kb/en/reset-password"]').count() == 1
    feedback = reader.locator("#feedback")
    assert feedback.locator("textarea").is_hidden()  # the reason comes after "No"
    feedback.locator('[data-feedback-buttons] button[value="no"]').click()
    feedback.locator("textarea").wait_for(state="visible")
    assert feedback.locator(".feedback-thanks").is_visible()
    feedback.locator("textarea").fill("لم تذكر ماذا أفعل إذا تغيّر رقم هاتفي")
    feedback.locator("[data-feedback-send]").click()
    feedback.locator("textarea").wait_for(state="hidden")
    assert reader.url.endswith("/kb/ar/reset-password")  # no page load: thanked in place
    reader.screenshot(path=str(artifacts / "feedback-ar.png"), full_page=True)

    manager = _page(browser, errors, (base, cookie))
    manager.goto(base + "/attention/feedback", wait_until="load")
    summary = manager.locator(".feedback-summary").first.inner_text()
    assert "لم تذكر ماذا أفعل إذا تغيّر رقم هاتفي" in summary
    assert manager.locator(".feedback-summary .feedback-no").first.inner_text().endswith("1")
    manager.goto(base + "/attention/", wait_until="load")
    flagged = manager.locator(".attention-item.reason-agent_flag").inner_text()
    assert "لا تذكر ماذا أفعل إذا ضاع الهاتف" in flagged
    assert (
        "دليل الطابعات القديم" in manager.locator(".attention-item.reason-review_due").inner_text()
    )
    assert manager.locator(".attention-item.reason-translation_stale").count() == 1
    manager.screenshot(path=str(artifacts / "attention-ar.png"), full_page=True)
    manager.goto(base + "/attention/translations/ar/reset-password", wait_until="load")
    added = manager.locator(".diff-add ins").all_inner_texts()
    assert "If no code arrives, call 4444." in added
    assert re.search(r"reset-password", manager.url)
    assert not errors, errors
