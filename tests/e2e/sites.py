"""Test sites for the browser stories: a small articles repo, a migrated database, the app on a
free port of 127.0.0.1, signed-in people and browser pages that collect console errors."""

from __future__ import annotations

import datetime as dt
import subprocess
import textwrap
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from portal import create_app
from portal.accounts.models import UserInfo
from portal.accounts.services import create_user
from portal.accounts.teams import seed_teams
from portal.config import AccountSettings
from portal.db import transaction, upgrade_database
from tests.support.articles import CATEGORIES_YML
from tests.support.catalogs import compile_catalogs

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
PASSWORD = "correct-Horse-battery-9"
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 20_000  # generous: two busy cores run the whole suite in parallel

# The small bilingual knowledge base every browser story starts from.
ARTICLES = {
    "accounts/reset-password.ar.md": """\
        ---
        title: نسيت كلمة المرور؟ أعد تعيينها بنفسك
        lang: ar
        category: accounts
        tags: [كلمة المرور, كلمة السر, الحساب]
        updated: 2026-10-01
        description: أعد تعيين كلمة المرور المنسية من صفحة الحساب خلال دقيقتين، دون انتظار الدعم.
        ---

        إذا نسيت **كلمة المرور** فيمكنك إعادة تعيينها بنفسك من صفحة الحساب، ولا تحتاج إلى
        التواصل مع الدعم.

        ## قبل أن تبدأ

        تأكّد من أن هاتفك المسجّل في حسابك معك، لأن رمز التحقق يُرسل إليه.

        ## الخطوات

        1. افتح صفحة الحساب واضغط **نسيت كلمة المرور**.
        2. اكتب بريدك الإلكتروني للعمل، ثم الرمز الذي يصلك.
        3. اختر كلمة مرور جديدة من 12 حرفًا على الأقل.

        ## إذا لم يصلك الرمز

        انتظر دقيقة ثم اطلب رمزًا جديدًا. إذا تكرّر ذلك فتواصل مع الدعم.
        """,
    "accounts/reset-password.en.md": """\
        ---
        title: Forgot your password? Reset it yourself
        lang: en
        category: accounts
        tags: [password, account]
        updated: 2026-10-02
        description: Reset a forgotten password from the account page in two minutes.
        ---

        If you forgot your **password** you can reset it yourself from the account page.

        ## Before you start

        Keep the phone registered on your account at hand: the code is sent to it.

        ## Steps

        1. Open the account page and choose **Forgot password**.
        2. Type your work e-mail address, then the code you receive.
        3. Choose a new password of at least 12 characters.
        """,
    "accounts/two-step.ar.md": """\
        ---
        title: تفعيل التحقق بخطوتين
        lang: ar
        category: accounts
        tags: [التحقق بخطوتين, الأمان]
        description: احمِ حسابك برمز من تطبيق المصادقة على هاتفك.
        ---

        التحقق بخطوتين يحمي حسابك حتى لو عرف أحد كلمة المرور.

        ## التفعيل

        ثبّت تطبيق المصادقة ثم امسح الرمز المعروض في صفحة الأمان.
        """,
    "network/vpn-connect.en.md": """\
        ---
        title: Connect to the VPN from home
        lang: en
        category: network
        tags: [vpn, remote]
        description: Install the VPN client and sign in with your work account.
        ---

        Install the VPN client, then sign in with your work account.

        ## Install the client

        Download it from the software centre.

        ## Sign in

        Use your work e-mail address and approve the sign-in on your phone.
        """,
    "network/wifi-guest.ar.md": """\
        ---
        title: الاتصال بشبكة الضيوف اللاسلكية
        lang: ar
        category: network
        description: اتصل بشبكة الضيوف بالرمز المعروض في الاستقبال.
        ---

        اتصل بشبكة الضيوف باستخدام الرمز المعروض في الاستقبال، ويتغيّر الرمز كل أسبوع.
        """,
    "support/support-hours.ar.md": """\
        ---
        title: ساعات عمل الدعم وطرق التواصل
        lang: ar
        category: support
        description: فريق الدعم متاح يوميًا من 10:00 حتى 16:00.
        ---

        فريق الدعم متاح يوميًا من الساعة 10:00 حتى 16:00.
        """,
    "support/support-hours.en.md": """\
        ---
        title: Support hours and how to reach us
        lang: en
        category: support
        description: The support team is available every day from 10:00 to 16:00.
        ---

        The support team is available every day from 10:00 to 16:00.
        """,
}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=e2e@sanad.invalid", "-c", "user.name=e2e", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def write_articles(
    root: Path,
    articles: Mapping[str, str],
    *,
    categories: str | None = CATEGORIES_YML,
    message: str = "knowledge base",
) -> Path:
    """``root/articles`` as a git repository with one commit of ``articles`` (dedented)."""
    directory = root / "articles"
    directory.mkdir()
    if categories is not None:
        (directory / "_categories.yml").write_text(categories, encoding="utf-8")
    for name, text in articles.items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", message)
    return directory


def make_app(root: Path, articles_dir: Path, secret: str) -> Flask:
    """The portal over ``articles_dir`` with a migrated SQLite database and a synced index."""
    compile_catalogs()
    database_url = f"sqlite:///{root / 'sanad.db'}"
    upgrade_database(database_url)
    app = create_app(
        {
            "instance_dir": root / "instance",
            "database_url": database_url,
            "articles_dir": articles_dir,
            "index_dir": root / "search_index",
            "secret_key": secret,
        }
    )
    wired = app.extensions["sanad"]
    wired.search.sync()
    tickets = wired.settings.tickets  # the teams, seeded as ``sanad serve`` seeds them
    with transaction(wired.sessions) as session:
        seed_teams(session, tickets.default_team, tickets.category_teams.values())
    return app


def add_user(
    session: Session,
    *,
    email: str,
    name: str,
    role: str,
    now: dt.datetime,
    lang: str = "ar",
    tier: int | None = None,
    teams: tuple[str, ...] = (),
) -> UserInfo:
    return create_user(
        session,
        CHEAP,
        email=email,
        name=name,
        password=PASSWORD,
        roles=(role,),
        lang=lang,
        tier=tier,
        teams=teams,
        now=now,
    )


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


@contextmanager
def serve(app: Flask, users: Mapping[str, UserInfo] | None = None) -> Iterator[Site]:
    """Serve ``app`` on a free port of 127.0.0.1; stop it and release its resources after."""
    services = app.extensions["sanad"]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", app, dict(users or {}))
    finally:
        server.shutdown()
        thread.join(timeout=10)
        services.close()


@contextmanager
def build_site(
    root: Path,
    articles: Mapping[str, str],
    secret: str,
    people: Mapping[str, Mapping[str, Any]],
    *,
    lang: str = "ar",
    categories: str | None = CATEGORIES_YML,
    message: str = "knowledge base",
) -> Iterator[Site]:
    """The whole test site: articles repo, app, one account per ``people`` entry (``add_user``
    keyword arguments; ``now`` supplied, ``lang`` unless the entry has its own), served until
    the block ends."""
    app = make_app(
        root, write_articles(root, articles, categories=categories, message=message), secret
    )
    now = dt.datetime.now(dt.UTC)
    with transaction(app.extensions["sanad"].sessions) as session:
        users = {
            key: add_user(session, now=now, **({"lang": lang} | dict(spec)))
            for key, spec in people.items()
        }
    with serve(app, users) as site:
        yield site


@dataclass
class Person:
    page: Any
    errors: list[str]


def open_page(
    browser: Any,
    site: Site,
    user: UserInfo | None,
    errors: list[str],
    *,
    locale: str = "ar",
) -> Any:
    """A page in a new browser context, signed in as ``user`` (if any), in the ``locale``
    interface, appending console errors and page errors (CSP violations included) to
    ``errors``."""
    context = browser.new_context(viewport=VIEWPORT, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    cookies = [] if user is None else [site.cookie_for(user)]
    # The language switch's cookie: it wins over the account's language and the browser's.
    cookies.append({"name": "sanad_locale", "value": locale, "url": site.base})
    context.add_cookies(cookies)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return page


@contextmanager
def signed_in(browser: Any, site: Site, *, locale: str = "ar") -> Iterator[dict[str, Person]]:
    """One signed-in browser per account of ``site``; console errors fail the test after."""
    people = {}
    for key, user in site.users.items():
        errors: list[str] = []
        people[key] = Person(open_page(browser, site, user, errors, locale=locale), errors)
    try:
        yield people
    finally:
        for person in people.values():
            person.page.context.close()
    for key, person in people.items():
        assert not person.errors, f"console errors for {key}: {person.errors}"
