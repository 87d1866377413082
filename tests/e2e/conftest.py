"""Browser fixtures: one Debian Chromium per session, one live server per module.

Playwright never downloads a browser here: it drives /usr/bin/chromium, and the tests skip
with a clear message when it is absent (``make test`` installs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from portal.config import PROJECT_ROOT
from tests.e2e.sites import make_app, serve, write_articles

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"

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


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal on a free port of 127.0.0.1, over a small bilingual knowledge base."""
    root = tmp_path_factory.mktemp("e2e")
    articles = write_articles(root, ARTICLES, message="e2e knowledge base")
    with serve(make_app(root, articles, "e2e-secret")) as site:
        yield site.base


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (make browser) to run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
