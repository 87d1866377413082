"""Racing saves against a real server: ``sanad serve --workers 2`` over a temporary articles
repository and SQLite database. Of many saves from one base exactly one wins and every other
gets a 409; after publishing, git is consistent and the index holds the winner's text only."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.accounts.services import create_api_token, create_user
from portal.config import AccountSettings
from portal.db import make_engine, make_session_factory, transaction, upgrade_database
from tests.support.articles import PROJECT_ROOT, git

pytestmark = pytest.mark.slow

CHEAP = AccountSettings(argon2_time_cost=1, argon2_memory_cost=8, argon2_parallelism=1)
RACERS = 50
# The racers queue at two sync workers, so the last answer waits for all the others: about 3 s
# on a quiet machine, and past 30 s when other test runs share the two cores. Patience only
# has to tell a hung server from a busy one; what the test proves is in the answers.
PATIENCE_SECONDS = 600


def word(round_number: int, index: int) -> str:
    """A made-up word per save, letters only and far from every other one (no fuzzy match)."""
    pick = random.Random(round_number * 1000 + index)  # noqa: S311  (not for security)
    return "zq" + "".join(pick.choice("bcdfghjklmnpqrstvwxyz") for _ in range(10))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def call(base: str, method: str, path: str, token: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        base + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=PATIENCE_SECONDS) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    articles = tmp_path / "articles"
    (articles / "accounts").mkdir(parents=True)
    (articles / "accounts" / "printer.en.md").write_text(
        "---\ntitle: Add a printer\nlang: en\n---\n\nOpen the settings.\n", encoding="utf-8"
    )
    git(articles, "init", "-q", "-b", "main")
    git(articles, "config", "user.email", "tests@sanad.invalid")
    git(articles, "config", "user.name", "Sanad tests")
    git(articles, "add", "-A")
    git(articles, "commit", "-q", "-m", "start")
    url = f"sqlite:///{tmp_path / 'sanad.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    tokens: dict[str, str] = {}
    now = dt.datetime.now(dt.UTC)
    with transaction(make_session_factory(engine)) as session:
        for role in ("author", "knowledge_manager"):
            email = f"{role}@example.com"
            create_user(
                session, CHEAP, email=email, name=role.title(), roles=(role,),
                password="correct-Horse-battery-9", now=now,
            )  # fmt: skip
            tokens[role] = create_api_token(session, email=email, now=now)
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "SANAD_DATABASE_URL": url,
        "SANAD_INSTANCE_DIR": str(tmp_path / "instance"),
        "SANAD_INDEX_DIR": str(tmp_path / "search_index"),
        "SANAD_ARTICLES_DIR": str(articles),
        "SANAD_SECRET_KEY": "race-secret",
        "SANAD_DEMO": "0",
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")])
        ),
    }
    sanad = Path(sys.executable).parent / "sanad"
    process = subprocess.Popen(
        [str(sanad), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + PATIENCE_SECONDS
        while True:
            assert process.poll() is None, "sanad serve exited"
            try:
                with urllib.request.urlopen(base + "/api/v1/articles", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "sanad serve did not start"
                time.sleep(0.2)
        yield base, tokens, articles
    finally:
        process.terminate()
        process.wait(timeout=30)


def race(
    base: str, token: str, draft_id: str, start: str, round_number: int
) -> list[tuple[int, Any, int]]:
    """RACERS saves from the same base, released together; (status, body, index) each."""
    gate = threading.Barrier(RACERS)
    results: list[tuple[int, Any, int]] = []
    failures: list[tuple[int, BaseException]] = []
    lock = threading.Lock()

    def save(index: int) -> None:
        body = {"base": start, "markdown": f"Open the settings. {word(round_number, index)}"}
        gate.wait()
        try:
            status, answer = call(base, "PUT", f"/api/v1/drafts/{draft_id}", token, body)
        except Exception as error:  # a racer without an answer must fail the test by name
            with lock:
                failures.append((index, error))
            return
        with lock:
            results.append((status, answer, index))

    threads = [threading.Thread(target=save, args=(i,)) for i in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, f"racers without an answer: {failures}"
    return results


def test_racing_saves_one_winner_per_base(server: tuple[str, dict[str, str], Path]) -> None:
    base, tokens, articles = server
    author, manager = tokens["author"], tokens["knowledge_manager"]
    status, draft = call(
        base, "POST", "/api/v1/drafts", author,
        {"article_id": "printer", "lang": "en", "title": "Add a printer",
         "category": "accounts", "markdown": "Open the settings."},
    )  # fmt: skip
    assert status == 201, draft
    current = draft["base"]
    winners: list[int] = []
    for round_number in (1, 2):
        results = race(base, author, draft["id"], current, round_number)
        statuses = sorted(status for status, _, _ in results)
        assert statuses == [200] + [409] * (RACERS - 1), statuses
        won = next((answer, index) for status, answer, index in results if status == 200)
        losers = [answer for status, answer, _ in results if status == 409]
        assert all(loser["error"]["current"] == won[0]["base"] for loser in losers)
        current = won[0]["base"]
        winners.append(won[1])
        assert git(articles, "rev-parse", f"drafts/{draft['id']}") == current

    _, now = call(base, "GET", f"/api/v1/drafts/{draft['id']}", author)
    assert now["markdown"] == f"Open the settings. {word(2, winners[1])}"
    assert call(base, "POST", f"/api/v1/drafts/{draft['id']}/submit", author)[0] == 200
    status, published = call(base, "POST", f"/api/v1/drafts/{draft['id']}/approve", manager)
    assert status == 200, published

    fsck = subprocess.run(
        ["git", "fsck", "--strict", "--no-dangling"], cwd=articles, capture_output=True, text=True
    )
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr
    assert "error" not in fsck.stdout + fsck.stderr
    assert git(articles, "status", "--porcelain") == ""
    assert word(2, winners[1]) in (articles / "accounts" / "printer.en.md").read_text()

    def found(text: str) -> list[str]:
        return [
            hit["id"] for hit in call(base, "GET", f"/api/v1/search?q={text}", author)[1]["hits"]
        ]

    assert found(word(1, winners[0])) == []  # round one's winner was saved over
    # Every loser's word, asked of both workers in turn: none made it into the index.
    for index in range(RACERS):
        if index != winners[1]:
            assert found(word(2, index)) == []
    assert found(word(2, winners[1])) == ["printer"]
