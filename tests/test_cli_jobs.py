"""``sanad jobs run [--once]``, ``sanad jobs list`` and the runner inside ``sanad serve``."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from portal.cli import main
from portal.config import PROJECT_ROOT
from portal.jobs import Job
from portal.jobs.service import job_views
from tests.support.articles import ArticleWriter
from tests.support.jobs import Counting
from tests.support.mail import free_port

BUILTIN = (
    "sla",
    "mail_outbox",
    "close_resolved_tickets",
    "attention_scan",
    "search_learning",
    "inbound_mail",
    "weekly_summary",
)


def sanad(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, args=list(args))


def test_jobs_run_once_runs_every_due_job_then_nothing_until_they_are_due(app: Flask) -> None:
    first = sanad(app, "jobs", "run", "--once")
    assert first.exit_code == 0, first.output
    for name in BUILTIN:
        assert f"{name}: ok in " in first.output
    assert f"{len(BUILTIN)} job(s) run" in first.output
    again = sanad(app, "jobs", "run", "--once")
    assert again.exit_code == 0, again.output
    assert "0 job(s) run" in again.output

    listing = sanad(app, "jobs", "list")
    assert listing.exit_code == 0, listing.output
    lines = {line.split()[0]: line for line in listing.output.splitlines()}
    assert set(lines) == set(BUILTIN)
    assert "every 0:00:30" in lines["mail_outbox"]
    assert " ok " in lines["close_resolved_tickets"]
    assert "0 ticket(s) closed" in lines["close_resolved_tickets"]
    assert "last never" not in lines["attention_scan"]


def test_jobs_list_before_any_run_says_never_and_due_now(app: Flask) -> None:
    listing = sanad(app, "jobs", "list")
    assert listing.exit_code == 0, listing.output
    for line in listing.output.splitlines():
        assert "last never" in line
        assert "next now" in line


def test_jobs_run_once_fails_when_a_job_failed(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = Counting(fail_with=ValueError("no such mailbox"))
    monkeypatch.setattr(
        "portal.jobs.builtin.JOBS", (Job("broken", every=dt.timedelta(hours=1), run=broken),)
    )
    result = sanad(app, "jobs", "run", "--once")
    assert result.exit_code == 1
    assert "broken: failed" in result.output
    assert "ValueError: no such mailbox" in result.output


def _environment(
    tmp_path: Path, database_url: str, articles_dir: Path, **more: str
) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SANAD_")}
    return {
        **clean,
        "PYTHONPATH": str(PROJECT_ROOT),
        "SANAD_DATABASE_URL": database_url,
        "SANAD_INSTANCE_DIR": str(tmp_path / "instance"),
        "SANAD_ARTICLES_DIR": str(articles_dir),
        "SANAD_INDEX_DIR": str(tmp_path / "search_index"),
        "SANAD_SECRET_KEY": "cli-jobs",
        **more,
    }


def _sanad_process(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from portal.cli import main; main()", *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_runs(app: Flask, names: tuple[str, ...], seconds: float) -> dict[str, Any]:
    services = app.extensions["sanad"]
    deadline = time.monotonic() + seconds
    views: dict[str, Any] = {}
    jobs = [Job(name, every=dt.timedelta(hours=1), run=Counting()) for name in names]
    while time.monotonic() < deadline:
        with services.sessions() as session:
            views = {
                v.name: v
                for v in job_views(session, jobs, services.settings, now=dt.datetime.now(dt.UTC))
            }
        if all(v.runs >= 1 and v.holder is None for v in views.values()):
            break
        time.sleep(0.2)
    return views


def test_jobs_run_loops_until_sigterm_and_stops_cleanly(
    app: Flask, tmp_path: Path, database_url: str, articles_dir: Path, write_article: ArticleWriter
) -> None:
    write_article("welcome", "en")
    proc = _sanad_process(_environment(tmp_path, database_url, articles_dir), "jobs", "run")
    try:
        views = _wait_for_runs(app, BUILTIN, 60)
        assert {name: view.runs for name, view in views.items()} == dict.fromkeys(BUILTIN, 1)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopping after the running job (SIGTERM)" in err
    assert "job runner stopped" in err


@pytest.mark.parametrize("in_serve", ["1", "0"])
def test_serve_runs_each_job_once_across_its_workers_unless_switched_off(
    app: Flask,
    tmp_path: Path,
    database_url: str,
    articles_dir: Path,
    write_article: ArticleWriter,
    in_serve: str,
) -> None:
    write_article("welcome", "en")
    env = _environment(tmp_path, database_url, articles_dir, SANAD_JOBS_IN_SERVE=in_serve)
    port = free_port()
    proc = _sanad_process(env, "serve", "--port", str(port), "--workers", "3")
    try:
        if in_serve == "1":
            views = _wait_for_runs(app, BUILTIN, 90)
            time.sleep(2)  # three workers looked; the jobs are not due again for 30 s or more
            views = _wait_for_runs(app, BUILTIN, 1)
            assert {name: view.runs for name, view in views.items()} == dict.fromkeys(BUILTIN, 1)
        else:
            _wait_until_serving(port, proc)
            time.sleep(3)
            views = _wait_for_runs(app, BUILTIN, 0.1)
            assert all(view.runs == 0 for view in views.values())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=10)


def _wait_until_serving(port: int, proc: subprocess.Popen[str]) -> None:
    import socket

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, "sanad serve exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("sanad serve did not start")
