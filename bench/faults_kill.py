"""``kill -9`` in the middle of the work that matters, then check that nothing was lost.

Three scenarios against real ``sanad serve`` processes (gunicorn, 2 workers) over HTTP, each
``--rounds`` times (default 20), on a copy of the project's articles in a fresh git repository
and a fresh SQLite database (or PostgreSQL: ``SANAD_BENCH_POSTGRES_URL``, an empty database):

- approvals: a knowledge manager approves a draft (with the ``base`` reviewed) and the whole
  server (master and workers) is killed at a random moment of the request; the server is
  started again (start-up reconciles git, index and database) and the client retries;
- ticket bursts: 10 requesters open 2 tickets each at once, the server is killed at a random
  moment; every ticket whose 201 reached the client must be stored exactly once;
- index rebuilds: ``sanad index rebuild`` is killed at a random moment while the server keeps
  answering searches.

After every restart the three stores are compared: each published draft's merge is on the
live branch and each open draft's is not, the index holds every article of git and is at its
commit, and every acknowledged approval or ticket is there.

    .venv/bin/python bench/faults.py kill [--rounds 20]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from faults import CHEAP, PASSWORD, free_port, serve_env  # noqa: E402  (bench/ is on the path)

from portal.accounts.services import create_api_token, create_user  # noqa: E402
from portal.config import load_settings  # noqa: E402
from portal.db import make_engine, make_session_factory, transaction, upgrade_database  # noqa: E402
from portal.kb.approval import merged_drafts  # noqa: E402
from portal.kb.repository import ArticleRepository  # noqa: E402
from portal.kb.tables import Draft  # noqa: E402
from portal.search.services import SearchService  # noqa: E402
from portal.tickets.models import Ticket  # noqa: E402

SANAD = Path(sys.executable).parent / "sanad"


def call(
    base: str, method: str, path: str, token: str, body: Any = None, timeout: float = 30
) -> tuple[int, Any]:
    """One API request: (status, JSON body); 599 when the connection broke (a kill)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"null")
        except ValueError:
            return error.code, None
    except (OSError, ValueError):
        return 599, None


class Server:
    """``sanad serve`` in its own process group, so kill -9 takes master and workers."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log  # the server's stdout and stderr over every start, read on failure
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts: list[float] = []

    def start(self) -> None:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [str(SANAD), "serve", "--port", str(self.port), "--workers", "2"],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
                shown = "\n".join(tail)
                raise SystemExit(f"sanad serve exited with {self.process.returncode}:\n{shown}")
            try:
                with urllib.request.urlopen(self.base + "/api/v1/articles", timeout=2):
                    self.starts.append(time.perf_counter() - started)
                    return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("sanad serve did not start in time")

    def kill(self) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        # Workers are in the same group; give the kernel a moment to reap them.
        time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


@dataclass
class Figures:
    rounds: int = 0
    killed_during_request: int = 0
    acknowledged: int = 0
    lost: int = 0
    duplicated: int = 0
    retries_failed: int = 0
    disagreements: int = 0
    states: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def make_people(database_url: str, prefix: str, roles: tuple[str, ...], count: int) -> list[str]:
    """``count`` accounts with ``roles`` and an API token each."""
    engine = make_engine(database_url)
    sessions = make_session_factory(engine)
    now = dt.datetime.now(dt.UTC)
    tokens = []
    with transaction(sessions) as session:
        for number in range(count):
            email = f"{prefix}{number}-{uuid.uuid4().hex[:6]}@example.com"
            create_user(
                session, CHEAP, email=email, name=f"{prefix.title()} {number}",
                password=PASSWORD, roles=roles, now=now,
            )  # fmt: skip
            tokens.append(create_api_token(session, email=email, now=now))
    engine.dispose()
    return tokens


def agreement(database_url: str, settings_overrides: dict[str, Any]) -> list[str]:
    """What git, the index and the database disagree about (empty: they agree)."""
    problems: list[str] = []
    settings = load_settings(settings_overrides)
    repository = ArticleRepository(settings.articles_dir)
    merged = merged_drafts(repository)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(select(Draft.id, Draft.status, Draft.published_commit)).all()
    engine.dispose()
    for draft_id, status, commit in rows:
        if status == "published" and merged.get(draft_id) != commit:
            problems.append(f"draft {draft_id} published in the database, not so in git")
        if status in ("draft", "review") and draft_id in merged:
            problems.append(f"draft {draft_id} live in git, still {status} in the database")
    search = SearchService(settings, repository)
    try:
        keys = [f"{a.lang}/{a.id}" for a in repository.load_all().articles]
        found = {f"{e.lang}/{e.id}" for e in search.entries(keys, "all")}
        missing = [key for key in keys if key not in found]
        if missing:
            problems.append(f"{len(missing)} article(s) of git missing from the index")
        report = search.sync()
        if report.added or report.updated or report.removed:
            problems.append(
                f"index behind git: sync added {report.added}, updated {report.updated}, "
                f"removed {report.removed}"
            )
    finally:
        search.close()
    return problems


def _approve(base: str, token: str, draft_id: str, version: str, answer: dict[str, Any]) -> None:
    started = time.perf_counter()
    got = call(base, "POST", f"/api/v1/drafts/{draft_id}/approve", token, {"base": version})
    answer["status"] = got[0]
    answer["seconds"] = time.perf_counter() - started


def _warm_up(base: str, author: str, manager: str) -> float:
    """One approval nobody interrupts: how long one takes, so kills land inside one."""
    _status, draft = call(base, "POST", "/api/v1/drafts", author, {
        "title": "Fault drill warm-up", "lang": "en", "category": "accounts",
        "markdown": "Warm-up text.",
    })  # fmt: skip
    _status, read = call(base, "POST", f"/api/v1/drafts/{draft['id']}/submit", author)
    answer: dict[str, Any] = {}
    _approve(base, manager, draft["id"], read["base"], answer)
    assert answer["status"] == 200, answer
    return float(answer["seconds"])


def approvals(server: Server, database_url: str, overrides: dict[str, Any], rounds: int) -> Figures:
    author, manager = (
        make_people(database_url, "author", ("author",), 1)[0],
        make_people(database_url, "manager", ("knowledge_manager",), 1)[0],
    )
    figures = Figures()
    # Kill at a uniform moment of one approval's duration (measured, then kept up to date).
    figures.latencies.append(_warm_up(server.base, author, manager))
    window = figures.latencies[0] * 2
    repository = ArticleRepository(Path(overrides["articles_dir"]))
    for number in range(rounds):
        word = f"faultword{number}q{uuid.uuid4().hex[:8]}"
        status, draft = call(server.base, "POST", "/api/v1/drafts", author, {
            "title": f"Fault drill {number} {word}", "lang": "en", "category": "accounts",
            "markdown": f"Steps that must survive a crash: {word}.",
        })  # fmt: skip
        assert status == 201, (status, draft)
        status, read = call(server.base, "POST", f"/api/v1/drafts/{draft['id']}/submit", author)
        assert status == 200, (status, read)
        answer: dict[str, Any] = {}
        thread = threading.Thread(
            target=_approve, args=(server.base, manager, draft["id"], read["base"], answer)
        )
        thread.start()
        time.sleep(random.uniform(0, window))
        server.kill()
        thread.join()
        figures.rounds += 1
        acknowledged = answer.get("status") == 200
        figures.acknowledged += acknowledged
        if answer.get("status") == 599:
            figures.killed_during_request += 1
        else:
            figures.latencies.append(answer["seconds"])
            window = max(0.05, statistics.median(figures.latencies) * 2)
        # Where did the kill leave things, before any reconciliation?
        engine = create_engine(database_url)
        with engine.connect() as conn:
            row_status = conn.scalar(select(Draft.status).where(Draft.id == draft["id"]))
        engine.dispose()
        in_git = draft["id"] in merged_drafts(repository)
        state = (
            "published"
            if row_status == "published"
            else ("git ahead of database" if in_git else "not started in git")
        )
        figures.states[state] = figures.states.get(state, 0) + 1
        server.start()  # start-up reconciles
        problems = agreement(database_url, overrides)
        engine = create_engine(database_url)
        with engine.connect() as conn:
            after = conn.scalar(select(Draft.status).where(Draft.id == draft["id"]))
        engine.dispose()
        if acknowledged and after != "published":
            figures.lost += 1
        status, done = call(server.base, "POST", f"/api/v1/drafts/{draft['id']}/approve", manager,
                            {"base": read["base"]})  # fmt: skip
        if status != 200 or done.get("status") != "published":
            figures.retries_failed += 1
            figures.notes.append(f"retry of {draft['id']}: {status} {done}")
        status, hits = call(server.base, "GET", f"/api/v1/search?q={word}", manager)
        if status != 200 or not hits.get("total"):
            problems.append(f"{word} not searchable after the retry")
        figures.disagreements += len(problems)
        figures.notes.extend(problems)
    return figures


_LOCK = threading.Lock()


def _burst(base: str, token: str, label: str, acknowledged: list[str], figures: Figures) -> None:
    """One requester opens two tickets, one after the other."""
    for ticket in range(2):
        started = time.perf_counter()
        status, body = call(base, "POST", "/api/v1/tickets", token, {
            "subject": f"الطابعة لا تعمل {label}-{ticket}",
            "body": "توقفت الطابعة عن العمل بعد التحديث.",
        })  # fmt: skip
        with _LOCK:
            if status == 201:
                acknowledged.append(body["reference"])
                figures.latencies.append(time.perf_counter() - started)
            elif status == 599:
                figures.killed_during_request += 1


def tickets(server: Server, database_url: str, rounds: int) -> Figures:
    figures = Figures()
    # A burst of 20 tickets on 2 workers: measure one, then kill somewhere inside bursts.
    warm: list[str] = []
    started = time.perf_counter()
    _burst(
        server.base, make_people(database_url, "warm", ("requester",), 1)[0], "w", warm, Figures()
    )
    window = (time.perf_counter() - started) * 10
    for number in range(rounds):
        tokens = make_people(database_url, f"req{number}-", ("requester",), 10)
        acknowledged: list[str] = []
        threads = [
            threading.Thread(
                target=_burst, args=(server.base, t, f"{number}-{i}", acknowledged, figures)
            )
            for i, t in enumerate(tokens)
        ]
        for thread in threads:
            thread.start()
        time.sleep(random.uniform(0.1, window))
        server.kill()
        for thread in threads:
            thread.join()
        server.start()
        figures.rounds += 1
        figures.acknowledged += len(acknowledged)
        engine = create_engine(database_url)
        with engine.connect() as conn:
            for reference in acknowledged:
                stored = conn.scalar(
                    select(func.count(Ticket.id)).where(Ticket.reference == reference)
                )
                figures.lost += stored == 0
                figures.duplicated += (stored or 0) > 1
        engine.dispose()
    return figures


def rebuilds(server: Server, database_url: str, overrides: dict[str, Any], rounds: int) -> Figures:
    figures = Figures()
    token = make_people(database_url, "reader", ("agent",), 1)[0]
    started = time.perf_counter()
    subprocess.run(
        [str(SANAD), "index", "rebuild"], env=server.env, capture_output=True, check=True
    )
    window = time.perf_counter() - started
    for _number in range(rounds):
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(SANAD), "index", "rebuild"], env=server.env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        delay = random.uniform(0, window)
        try:
            process.wait(timeout=delay)
            figures.latencies.append(time.perf_counter() - started)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
            figures.killed_during_request += 1
        figures.rounds += 1
        # The running server keeps answering from the generation it has.
        status, hits = call(server.base, "GET", "/api/v1/search?q=password", token)
        if status != 200 or not hits.get("total"):
            figures.disagreements += 1
            figures.notes.append(f"search after a killed rebuild: {status}")
        sync = subprocess.run(
            [str(SANAD), "index", "sync"], env=server.env, capture_output=True, check=False
        )
        if sync.returncode != 0:
            figures.disagreements += 1
            figures.notes.append(sync.stderr.decode()[-300:])
        problems = agreement(database_url, overrides)
        figures.disagreements += len(problems)
        figures.notes.extend(problems)
    return figures


def fresh_articles(work: Path) -> Path:
    target = work / "articles"
    shutil.copytree(ROOT / "articles", target)
    identity = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(target), *identity, "commit", "-q", "-m", "Articles"], check=True
    )
    return target


def report(label: str, figures: Figures, what: str) -> None:
    p50 = statistics.median(figures.latencies) * 1000 if figures.latencies else 0.0
    states = ", ".join(f"{k} {v}" for k, v in sorted(figures.states.items()))
    print(
        f"{label:10} rounds {figures.rounds}  {what} killed mid-way {figures.killed_during_request}"
        f"  acknowledged {figures.acknowledged}  lost {figures.lost}"
        f"  duplicated {figures.duplicated}  retries failed {figures.retries_failed}"
        f"  disagreements {figures.disagreements}  p50 {p50:.0f} ms"
        + (f"\n{'':10} state at the kill: {states}" if states else "")
    )
    for note in figures.notes[:10]:
        print(f"{'':10} ! {note}")


def run(label: str, database_url: str, rounds: int, only: tuple[str, ...]) -> bool:
    work = Path(tempfile.mkdtemp(prefix="sanad-faults-"))
    try:
        articles = fresh_articles(work)
        upgrade_database(database_url)
        overrides = {
            "database_url": database_url,
            "articles_dir": articles,
            "instance_dir": work / "instance",
            "index_dir": work / "search_index",
        }
        server = Server(serve_env(database_url, work, articles), work / "serve.log")
        server.start()
        try:
            started = time.perf_counter()
            results: list[tuple[str, Figures, str]] = []
            if "approvals" in only:
                found = approvals(server, database_url, overrides, rounds)
                results.append(("approvals", found, "requests"))
            if "tickets" in only:
                results.append(("tickets", tickets(server, database_url, rounds), "requests"))
            if "rebuilds" in only:
                found = rebuilds(server, database_url, overrides, rounds)
                results.append(("rebuilds", found, "rebuilds"))
            wall = time.perf_counter() - started
        finally:
            server.stop()
        print(f"{label}: {wall:.0f} s, server start p50 {statistics.median(server.starts):.1f} s")
        for name, figures, what in results:
            report(name, figures, what)
        return all(
            f.lost == 0 and f.duplicated == 0 and f.retries_failed == 0 and f.disagreements == 0
            for _name, f, _what in results
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def kill(args: argparse.Namespace) -> int:
    random.seed(args.seed)
    work = Path(tempfile.mkdtemp(prefix="sanad-faults-db-"))
    only = tuple(args.only or ("approvals", "tickets", "rebuilds"))
    ok = args.no_sqlite or run("sqlite", f"sqlite:///{work / 'sanad.db'}", args.rounds, only)
    shutil.rmtree(work, ignore_errors=True)
    postgres = os.environ.get("SANAD_BENCH_POSTGRES_URL")
    if postgres:  # a database of its own: the run adds accounts, drafts and tickets to it
        ok = run("postgresql", postgres, args.rounds, only) and ok
    return 0 if ok else 1


def add_kill(modes: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mode = modes.add_parser("kill", help=__doc__.splitlines()[0])
    mode.add_argument("--rounds", type=int, default=20)
    mode.add_argument("--seed", type=int, default=None)
    mode.add_argument(
        "--no-sqlite", action="store_true", help="only PostgreSQL (SANAD_BENCH_POSTGRES_URL)"
    )
    mode.add_argument(
        "--only", choices=("approvals", "tickets", "rebuilds"), action="append",
        help="run only these scenarios (repeatable; default: all three)",
    )  # fmt: skip
    mode.set_defaults(run=kill)


if __name__ == "__main__":  # the same as ``bench/faults.py kill``
    from faults import main

    sys.exit(main(["kill", *sys.argv[1:]]))
