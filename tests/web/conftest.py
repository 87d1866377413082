"""Fixtures of the web tests: compiled catalogs, a small bilingual knowledge base, accounts and
browsers signed in as them."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.accounts import services as accounts
from portal.accounts.models import UserInfo
from portal.accounts.services import create_user
from portal.accounts.teams import seed_teams
from portal.db import transaction
from portal.events import Event
from tests.support.accounts import CHEAP, CHEAP_HASHING
from tests.support.accounts import PASSWORD as ACCOUNT_PASSWORD
from tests.support.articles import CATEGORIES_YML, ArticleWriter, git
from tests.support.catalogs import compile_catalogs
from tests.support.signing_in import PASSWORD, MakePerson, Person
from tests.support.web import ClientFor, EventCounter, MakeAccount

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session", autouse=True)
def catalogs() -> None:
    compile_catalogs()


@pytest.fixture
def kb_articles(write_article: ArticleWriter, articles_dir: Path) -> Path:
    """Arabic and English articles in three categories, plus a draft and an internal one."""
    (articles_dir / "_categories.yml").write_text(CATEGORIES_YML, encoding="utf-8")
    write_article(
        "reset-password",
        "ar",
        "إعادة تعيين كلمة المرور",
        """
        إذا نسيت كلمة المرور فيمكنك إعادة تعيينها بنفسك من صفحة الحساب.

        ## قبل أن تبدأ

        تأكّد من أن هاتفك المسجّل معك.

        ## الخطوات

        1. افتح صفحة الحساب.
        2. اضغط «نسيت كلمة المرور».
        """,
        category="accounts",
        tags=["كلمة المرور", "حساب"],
        updated="2026-10-01",
        description="أعد تعيين كلمة المرور المنسية بنفسك في دقيقتين.",
        commit=False,
    )
    write_article(
        "reset-password",
        "en",
        "Reset your password",
        """
        If you forgot your password you can reset it yourself.

        ## Before you start

        Keep your registered phone at hand.

        ## Steps

        1. Open the account page.
        2. Choose "Forgot password".
        """,
        category="accounts",
        tags=["password", "account"],
        updated="2026-10-02",
        commit=False,
    )
    write_article(
        "vpn-connect",
        "en",
        "Connect to the VPN from home",
        """
        Install the VPN client, then sign in with your work account.

        ## Install the client

        Download it from the software centre.

        ## Sign in

        Use your work e-mail address.
        """,
        category="network",
        tags=["vpn", "remote"],
        commit=False,
    )
    write_article(
        "wifi-guest",
        "ar",
        "شبكة الضيوف اللاسلكية",
        "اتصل بشبكة الضيوف باستخدام الرمز المعروض في الاستقبال.",
        category="network",
        commit=False,
    )
    write_article(
        "support-hours",
        "ar",
        "ساعات عمل الدعم",
        "فريق الدعم متاح يوميًا من الساعة العاشرة صباحًا حتى الرابعة عصرًا.",
        category="support",
        commit=False,
    )
    write_article(
        "new-policy",
        "en",
        "Draft password policy",
        "Not yet published.",
        category="accounts",
        status="draft",
        commit=False,
    )
    write_article(
        "admin-runbook",
        "en",
        "Internal password runbook",
        "Only for the service desk.",
        category="accounts",
        audience="internal",
        commit=False,
    )
    git(articles_dir, "add", "-A")
    git(articles_dir, "commit", "-q", "-m", "sample knowledge base")
    return articles_dir


@pytest.fixture
def site(kb_articles: Path, app: Flask) -> Flask:
    """The app with the sample knowledge base indexed and the teams seeded from the settings,
    as ``sanad serve`` does before it serves."""
    wired = app.extensions["sanad"]
    wired.search.sync()
    tickets = wired.settings.tickets
    with transaction(wired.sessions) as session:
        seed_teams(session, tickets.default_team, tickets.category_teams.values())
    return app


@pytest.fixture
def site_client(site: Flask) -> FlaskClient:
    return site.test_client()


@pytest.fixture
def english(site_client: FlaskClient) -> FlaskClient:
    """A client that chose the English interface."""
    response = site_client.get("/locale/en")
    assert response.status_code == 303
    return site_client


@pytest.fixture
def count_events(app: Flask) -> EventCounter:
    """Number of recorded events of one kind."""

    def count(kind: str) -> int:
        with app.extensions["sanad"].sessions() as session:
            return int(session.scalar(select(func.count(Event.id)).where(Event.kind == kind)) or 0)

    return count


# --- accounts and browsers ------------------------------------------------------------------


@pytest.fixture
def web(site: Flask) -> Flask:
    """The site with CSRF off: tests of tickets, drafts and access (CSRF has its own tests)."""
    site.config["WTF_CSRF_ENABLED"] = False
    return site


@pytest.fixture
def make_account(web: Flask) -> MakeAccount:
    """Create an account with ``roles``; agents and admins work the support team, tier 1."""
    numbers = itertools.count(1)

    def make(*roles: str, name: str | None = None) -> UserInfo:
        number = next(numbers)
        roles = roles or ("requester",)
        staff = bool({"agent", "admin"} & set(roles))
        with transaction(web.extensions["sanad"].sessions) as session:
            user: UserInfo = create_user(
                session,
                CHEAP,
                email=f"{roles[0]}{number}@example.com",
                name=name or f"{roles[0].title()} {number}",
                password=ACCOUNT_PASSWORD,
                roles=roles,
                lang="en",
                tier=1 if staff else None,
                teams=("support",) if staff else (),
                now=NOW,
            )
        return user

    return make


@pytest.fixture
def client_for(web: Flask) -> ClientFor:
    """A browser signed in as ``user`` (None: a visitor), with the English interface."""

    def make(user: UserInfo | None) -> FlaskClient:
        client = web.test_client()
        client.set_cookie("sanad_locale", "en")
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = user.auth_token
                session["_fresh"] = True
        return client

    return make


@pytest.fixture
def app_overrides(app_overrides: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """Cheap password hashing; a test that takes ``smtp_server`` has the app mail through it."""
    given = {**app_overrides, "accounts": CHEAP_HASHING}
    if "smtp_server" in request.fixturenames:
        given["mail"] = request.getfixturevalue("smtp_server").settings
    return given


@pytest.fixture
def accounts_app(app: Flask) -> Flask:
    """The test app (cheap password hashing, see ``app_overrides``), for tests that sign in
    through the pages."""
    return app


@pytest.fixture
def make_person(accounts_app: Flask) -> MakePerson:
    """Create a person who will sign in with ``password`` through the log-in page."""

    def make(
        email: str = "noor@example.com",
        *,
        name: str = "Noor",
        roles: tuple[str, ...] = ("requester",),
        password: str = PASSWORD,
        lang: str = "en",
    ) -> Person:
        services = accounts_app.extensions["sanad"]
        with transaction(services.sessions) as session:
            info = accounts.create_user(
                session,
                services.settings.accounts,
                email=email,
                name=name,
                password=password,
                roles=roles,
                lang=lang,
                now=dt.datetime.now(dt.UTC),
            )
        return Person(info, password)

    return make
