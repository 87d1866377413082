"""Faults a real deployment meets, against ``sanad serve`` (gunicorn), one mode per subcommand.

    .venv/bin/python bench/faults.py stalled                 # the database stops answering
    .venv/bin/python bench/faults.py stalled --rounds 10 --workers 2 --bound 5
    .venv/bin/python bench/faults.py kill [--rounds 20]      # kill -9 mid-way, nothing lost

``stalled``: Sanad serves through a loopback listener in front of PostgreSQL
(``SANAD_BENCH_POSTGRES_URL``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``,
in a private schema dropped afterwards). Once the site is up and warm, the listener stops
answering: it drops the connections it relayed and accepts new ones without a word, a database
whose host froze. Every page kind is then requested ``--rounds`` times (visitor pages, the API,
a signed-in agent's pages, the probes); each must answer within ``--bound`` seconds, the
knowledge base with 200 and what needs the database with 503. Then the listener forwards again
and the run measures how long the site takes to be ready without a restart. Prints p50/max
answer time per page kind; exits 1 when a request was too slow or answered otherwise.

``kill``: ``kill -9`` during approvals, ticket bursts and index rebuilds (``bench/faults_kill.py``
says how). ``mail-down`` and ``mail-kill``: the SMTP server away, and ``kill -9`` of the job
runner mid-send (``bench/faults_mail.py``). Modes are subcommands (``add_parser`` in ``MODES``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from schemas import private_schema  # noqa: E402  (bench/ is on the path)

from portal.accounts.services import create_user  # noqa: E402
from portal.accounts.tokens import create_api_token  # noqa: E402
from portal.config import AccountSettings  # noqa: E402
from portal.db import make_engine, make_session_factory, transaction, upgrade_database  # noqa: E402
from tests.support.stalled import StalledListener  # noqa: E402

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
PASSWORD = "correct-Horse-battery-9"  # noqa: S105  (a throwaway account in a throwaway schema)
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

# --- shared plumbing -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(database_url: str, work: Path, articles: Path) -> dict[str, str]:
    """The environment of a ``sanad serve`` over ``articles``, its state kept under ``work``,
    running this checkout's code even when another one is installed in the virtualenv."""
    return {
        **os.environ,
        "SANAD_DATABASE_URL": database_url,
        "SANAD_INSTANCE_DIR": str(work / "instance"),
        "SANAD_INDEX_DIR": str(work / "search_index"),
        "SANAD_ARTICLES_DIR": str(articles),
        "SANAD_SECRET_KEY": "bench-secret",
        "SANAD_DEMO": "0",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


@contextmanager
def serving(database_url: str, workers: int, extra: dict[str, str]) -> Iterator[str]:
    """``sanad serve`` over a copy of the starter articles; yields its base URL."""
    work = Path(tempfile.mkdtemp(prefix="sanad-faults-"))
    shutil.copytree(ROOT / "articles", work / "articles")
    port = free_port()
    env = {**serve_env(database_url, work, work / "articles"), **extra}
    sanad = Path(sys.executable).parent / "sanad"
    log = (work / "serve.log").open("wb")
    process = subprocess.Popen(
        [str(sanad), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"sanad serve exited with {process.returncode}; see {log.name}")
            if fetch(Browser(), base + "/readyz").status == 200:
                break
            time.sleep(0.3)
        else:
            raise SystemExit("sanad serve did not become ready in time")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        shutil.rmtree(work, ignore_errors=True)


class Browser:
    """urllib with a cookie jar and no redirects followed (a 303 is an answer)."""

    def __init__(self) -> None:
        self.jar = http.cookiejar.CookieJar()

        class _NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )


@dataclass(frozen=True)
class Answer:
    status: int
    seconds: float
    body: str = ""


def fetch(
    browser: Browser,
    url: str,
    *,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 35,
) -> Answer:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.perf_counter()
    try:
        with browser.opener.open(request, timeout=timeout) as response:
            body = response.read().decode("utf-8", "replace")
            return Answer(response.status, time.perf_counter() - started, body)
    except urllib.error.HTTPError as error:
        return Answer(error.code, time.perf_counter() - started, error.read().decode("utf-8"))
    except OSError:
        return Answer(599, time.perf_counter() - started)  # refused, reset or timed out


# --- stalled: the database stops answering ----------------------------------------------------


@dataclass
class PageKind:
    name: str
    call: Callable[[], Answer]
    expected: int  # while the database is stalled
    answers: list[Answer] = field(default_factory=list)


def make_people(database_url: str) -> tuple[str, str]:
    """An agent (e-mail) and a requester's API token."""
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    with transaction(sessions) as session:
        create_user(
            session,
            CHEAP,
            email="agent@example.com",
            name="Agent",
            password=PASSWORD,
            roles=("agent",),
            tier=1,
            teams=("support",),
            now=now,
        )
        create_user(
            session, CHEAP, email="asker@example.com", name="Asker", password=PASSWORD, now=now
        )
        token = create_api_token(session, email="asker@example.com", now=now)
    engine.dispose()
    return "agent@example.com", token


def sign_in(base: str, email: str) -> Browser:
    browser = Browser()
    page = fetch(browser, base + "/auth/login")
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.body) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page.body
    )
    if found is None:
        raise SystemExit("no CSRF token on the log-in page")
    form = urllib.parse.urlencode(
        {"email": email, "password": PASSWORD, "csrf_token": found.group(1)}
    ).encode()
    answer = fetch(browser, base + "/auth/login", data=form)
    if answer.status != 303:
        raise SystemExit(f"could not sign the agent in: {answer.status}")
    return browser


def page_kinds(base: str, agent: Browser, token: str) -> list[PageKind]:
    visitor = Browser()
    api = {"Authorization": f"Bearer {token}"}
    ticket = b'{"subject": "Printer", "body": "It jams on every page."}'
    json_api = {**api, "Content-Type": "application/json"}

    def get(
        browser: Browser, path: str, headers: dict[str, str] | None = None
    ) -> Callable[[], Answer]:
        return lambda: fetch(browser, base + path, headers=headers)

    return [
        PageKind("home", get(visitor, "/"), 200),
        PageKind("category", get(visitor, "/kb/category/accounts"), 200),
        PageKind("article", get(visitor, "/kb/en/reset-password"), 200),
        PageKind("search", get(visitor, "/search?q=password"), 200),
        PageKind("api search", get(visitor, "/api/v1/search?q=password"), 200),
        PageKind("api articles", get(visitor, "/api/v1/articles?lang=en"), 200),
        PageKind("article, agent", get(agent, "/kb/en/reset-password"), 200),
        PageKind("healthz", get(visitor, "/healthz"), 200),
        PageKind("readyz", get(visitor, "/readyz"), 503),
        PageKind("agent queue", get(agent, "/agent"), 503),
        PageKind("my tickets", get(agent, "/tickets/mine"), 503),
        PageKind("api tickets", get(visitor, "/api/v1/tickets", api), 503),
        PageKind(
            "api new ticket",
            lambda: fetch(visitor, base + "/api/v1/tickets", data=ticket, headers=json_api),
            503,
        ),
    ]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def stalled(args: argparse.Namespace) -> int:
    server = make_url(args.postgres)
    with private_schema(args.postgres) as real_url, StalledListener() as listener:
        upgrade_database(real_url)
        agent_email, token = make_people(real_url)
        through = make_url(real_url).set(host="127.0.0.1", port=listener.port)
        listener.forward_to(server.host or "127.0.0.1", server.port or 5432)
        extra = {"SANAD_DATABASE_TIMEOUT": str(args.timeout)} if args.timeout else {}
        with serving(through.render_as_string(hide_password=False), args.workers, extra) as base:
            agent = sign_in(base, agent_email)
            kinds = page_kinds(base, agent, token)
            for kind in kinds:  # warm: every worker has pooled connections to lose
                for _ in range(args.workers):
                    kind.call()
            listener.stall()
            started = time.perf_counter()
            for _ in range(args.rounds):
                for kind in kinds:
                    kind.answers.append(kind.call())
            stalled_for = time.perf_counter() - started
            listener.forward_to(server.host or "127.0.0.1", server.port or 5432)
            back = time.perf_counter()
            recovered = None
            while time.perf_counter() - back < 60:
                if all(
                    fetch(Browser(), base + "/readyz").status == 200
                    for _ in range(args.workers * 2)
                ):
                    recovered = time.perf_counter() - back
                    break
                time.sleep(0.2)
            after = fetch(agent, base + "/agent").status
    return report(kinds, args, stalled_for, recovered, after)


def report(
    kinds: list[PageKind],
    args: argparse.Namespace,
    stalled_for: float,
    recovered: float | None,
    after: int,
) -> int:
    width = max(len(kind.name) for kind in kinds)
    print(
        f"stalled database, {args.workers} worker(s), {args.rounds} round(s), bound {args.bound} s"
    )
    print(f"{'page':<{width}}  expect  got                p50 ms   max ms")
    failures = 0
    every: list[float] = []
    for kind in kinds:
        seconds = [answer.seconds for answer in kind.answers]
        every += seconds
        statuses = sorted({answer.status for answer in kind.answers})
        wrong = sum(1 for a in kind.answers if a.status != kind.expected or a.seconds > args.bound)
        failures += wrong
        shown = ",".join(map(str, statuses))
        print(
            f"{kind.name:<{width}}  {kind.expected:<6}  {shown:<17}"
            f"{statistics.median(seconds) * 1000:>7.0f}  {max(seconds) * 1000:>7.0f}"
            + (f"   {wrong} WRONG" if wrong else "")
        )
    print(
        f"all {len(every)} requests: p50 {statistics.median(every) * 1000:.0f} ms, "
        f"p95 {percentile(every, 0.95) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms "
        f"({stalled_for:.1f} s in all)"
    )
    if recovered is None:
        print("NOT recovered within 60 s of the database answering again")
        failures += 1
    else:
        print(f"ready again {recovered:.1f} s after the database answered; agent queue: {after}")
        failures += after != 200
    print("PASS" if not failures else f"FAIL: {failures} request(s) too slow or answered wrongly")
    return 0 if not failures else 1


# --- the modes -------------------------------------------------------------------------------


def add_stalled(modes: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mode = modes.add_parser("stalled", help="the database accepts connections, never answers")
    mode.add_argument("--rounds", type=int, default=5, help="requests of each page kind")
    mode.add_argument("--workers", type=int, default=2)
    mode.add_argument("--bound", type=float, default=5.0, help="seconds every answer must take")
    mode.add_argument(
        "--timeout", type=float, default=None, help="SANAD_DATABASE_TIMEOUT (default: Sanad's)"
    )
    mode.add_argument("--postgres", default=os.environ.get("SANAD_BENCH_POSTGRES_URL", POSTGRES))
    mode.set_defaults(run=stalled)


def add_kill(modes: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from faults_kill import add_kill as add  # its own module: it builds on the plumbing above

    add(modes)


def add_mail(modes: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from faults_mail import add_modes  # mail-down, mail-kill

    add_modes(modes)


MODES = (add_stalled, add_kill, add_mail)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    modes = parser.add_subparsers(dest="mode", required=True)
    for add in MODES:
        add(modes)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
