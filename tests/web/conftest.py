"""Fixtures of the web tests: compiled catalogs and a small bilingual knowledge base."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.config import PROJECT_ROOT
from portal.events import Event
from tests.conftest import ArticleWriter, git

TRANSLATIONS = PROJECT_ROOT / "translations"

CATEGORIES_YML = """\
accounts:
  order: 1
  icon: accounts
  ar: {name: الحسابات وكلمات المرور, description: تسجيل الدخول وكلمة المرور والتحقق بخطوتين}
  en: {name: Accounts and passwords, description: Signing in, passwords and two-step sign-in}
network:
  order: 2
  ar: {name: الشبكة, description: الاتصال بالشبكة والشبكة الافتراضية الخاصة}
  en: {name: Network, description: Wi-Fi and VPN}
support:
  order: 3
  ar: {name: الدعم, description: كيف تتواصل مع فريق الدعم}
  en: {name: Support, description: How to reach the support team}
"""


def compile_catalogs() -> None:
    """Compile the .po catalogs once (the install step does this; .mo files are not committed).

    Several xdist workers may get here at once: a lock makes one compile while the others wait.
    """
    lock = FileLock(str(Path(tempfile.gettempdir()) / "sanad-catalogs.lock"))
    with lock:
        sources = list(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
        stale = [
            po
            for po in sources
            if not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        ]
        if stale:
            pybabel = Path(sys.executable).parent / "pybabel"
            subprocess.run(
                [str(pybabel), "-q", "compile", "-d", str(TRANSLATIONS)],
                check=True,
                capture_output=True,
            )


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
    """The app with the sample knowledge base indexed."""
    app.extensions["sanad"].search.sync()
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


EventCounter = Callable[[str], int]


@pytest.fixture
def count_events(app: Flask) -> EventCounter:
    """Number of recorded events of one kind."""

    def count(kind: str) -> int:
        with app.extensions["sanad"].sessions() as session:
            return int(session.scalar(select(func.count(Event.id)).where(Event.kind == kind)) or 0)

    return count
