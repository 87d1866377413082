"""Refresh the screenshots in docs/screenshots/: ``make screenshots``.

Starts the demo portal (``sanad serve --demo``, the README's first command) on a free port of
127.0.0.1 over a copy of ``articles/`` and an empty database in a temporary directory, then
walks the main pages as the demo people would, in Arabic and in English, with Debian's
Chromium (driven by Playwright, as the browser tests are): at 1280 px, and the home page and a
ticket at 390 px. Nothing of the project's own instance or index is touched.

    .venv/bin/python docs/screenshots.py [--out docs/screenshots] [--only home,search]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from playwright.sync_api import Page, sync_playwright

from portal.accounts.services import DEMO_ACCOUNTS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
WIDE = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
PASSWORDS = {email: password for email, _n, _r, _t, _teams, password in DEMO_ACCOUNTS}
LANGS = ("ar", "en")
AUTHOR = ("-c", "user.name=Sanad", "-c", "user.email=docs@sanad.example")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def demo_portal(workdir: Path) -> Iterator[str]:
    """``sanad serve --demo`` on its own database, index and copy of the articles."""
    articles = workdir / "articles"
    shutil.copytree(ROOT / "articles", articles)
    for command in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", *AUTHOR, "commit", "-qm", "demo"],
    ):
        subprocess.run(command, cwd=articles, check=True)
    port = free_port()
    env = {
        **os.environ,
        "SANAD_INSTANCE_DIR": str(workdir / "instance"),
        "SANAD_DATABASE_URL": f"sqlite:///{workdir / 'sanad.db'}",
        "SANAD_ARTICLES_DIR": str(articles),
        "SANAD_INDEX_DIR": str(workdir / "search_index"),
        "SANAD_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    sanad = Path(sys.executable).with_name("sanad")
    log = (workdir / "serve.log").open("w")
    server = subprocess.Popen(
        [str(sanad), "serve", "--demo", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its workers stop with it
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310 (http://)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(
                        "the demo portal did not start:\n" + (workdir / "serve.log").read_text()
                    ) from None
                time.sleep(0.3)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


class Walk:
    """One signed-in (or anonymous) browser context per person; pages shot per language."""

    def __init__(self, browser: Any, base: str, out: Path) -> None:
        self.browser, self.base, self.out = browser, base, out
        self.people: dict[str, Page] = {}
        self.taken: list[Path] = []

    def page(self, email: str | None, lang: str, viewport: dict[str, int] = WIDE) -> Page:
        key = f"{email}:{viewport['width']}"
        if key not in self.people:
            context = self.browser.new_context(viewport=viewport, locale=lang)
            context.set_default_timeout(30_000)
            page = context.new_page()
            if email is not None:
                page.goto(self.base + "/auth/login")
                page.fill("#email", email)
                page.fill("#password", PASSWORDS[email])
                page.click("form.account-form button[type=submit]")
                page.wait_for_load_state("load")
            self.people[key] = page
        page = self.people[key]
        page.context.add_cookies([{"name": "sanad_locale", "value": lang, "url": self.base}])
        return page

    def shot(self, page: Page, name: str, path: str | None = None) -> None:
        if path is not None:
            page.goto(self.base + path, wait_until="load")
        page.wait_for_load_state("networkidle")
        target = self.out / f"{name}.png"
        page.screenshot(path=str(target), full_page=False)
        self.taken.append(target)


def open_ticket(walk: Walk) -> str:
    """A requester's ticket through the form, the way "Still need help?" opens one; its path."""
    page = walk.page("requester@sanad.example", "ar")
    page.goto(walk.base + "/search?q=" + "لا يصلني رمز التحقق")
    page.goto(walk.base + "/tickets/new")
    page.fill("#subject", "لا يصلني رمز التحقق على الجوال")
    page.fill(
        "#body",
        "أحاول الدخول إلى البريد من الجوال منذ الصباح ولا تصلني رسالة رمز التحقق. "
        "جرّبت إعادة تشغيل الجوال وطلب رمز جديد.",
    )
    page.locator("form:has(#subject) button[type=submit]").click()
    page.wait_for_load_state("load")
    path = urlparse(page.url).path
    if not path.startswith("/tickets/HD-"):
        raise SystemExit(f"the demo ticket was not opened: the form answered {page.url}")
    return path


def walk_pages(walk: Walk, only: set[str]) -> None:
    ticket = open_ticket(walk)
    reference = ticket.rstrip("/").rsplit("/", 1)[-1]
    shots: list[tuple[str, str | None, str]] = [
        ("home", None, "/"),
        ("search", None, "/search?q={q}"),
        ("article", None, "/kb/{lang}/{article}"),
        ("new-ticket", "requester@sanad.example", "/tickets/new"),
        ("requester-ticket", "requester@sanad.example", ticket),
        ("agent-queue", "agent1@sanad.example", "/agent"),
        ("agent-ticket", "agent1@sanad.example", f"/agent/tickets/{reference}"),
        ("review", "knowledge@sanad.example", "/review/"),
        ("attention", "knowledge@sanad.example", "/attention/"),
        ("service-levels", "admin@sanad.example", "/admin/service-levels/"),
    ]
    queries = {"ar": "كلمة المرور", "en": "password"}
    home = walk.page(None, "ar")
    home.goto(walk.base + "/")
    article = home.locator("a[href^='/kb/ar/']").first.get_attribute("href") or "/kb/ar/"
    slugs = {"ar": article.rsplit("/", 1)[-1]}
    english = walk.page(None, "en")
    english.goto(walk.base + "/search?q=password&lang=en")
    found = english.locator("a[href^='/kb/en/']").first.get_attribute("href") or "/kb/en/"
    slugs["en"] = found.rsplit("/", 1)[-1]
    for lang in LANGS:
        for name, who, path in shots:
            if only and name not in only:
                continue
            url = path.format(q=queries[lang], lang=lang, article=slugs[lang])
            walk.shot(walk.page(who, lang), f"{name}-{lang}", url)
        if not only or "phone" in only:
            walk.shot(walk.page(None, lang, PHONE), f"phone-home-{lang}", "/")
            phone = walk.page("requester@sanad.example", lang, PHONE)
            walk.shot(phone, f"phone-ticket-{lang}", ticket)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--only", default="", help="comma-separated shot names (home,search...)")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: make browser installs Debian's chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    only = {name for name in args.only.split(",") if name}
    with (
        tempfile.TemporaryDirectory(prefix="sanad-shots-") as tmp,
        demo_portal(Path(tmp)) as base,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        walk = Walk(browser, base, args.out)
        try:
            walk_pages(walk, only)
        finally:
            browser.close()
    for path in walk.taken:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
