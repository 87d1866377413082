"""``sanad`` with a database it cannot use: one line naming it, exit code 1, no traceback."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portal.cli import main
from tests.support.stalled import StalledListener


def sanad(tmp_path: Path, database_url: str, *args: str) -> Result:
    env = {
        "SANAD_DATABASE_URL": database_url,
        "SANAD_DATABASE_TIMEOUT": "2",
        "SANAD_INSTANCE_DIR": str(tmp_path / "instance"),
        "SANAD_ARTICLES_DIR": str(tmp_path / "articles"),
        "SANAD_INDEX_DIR": str(tmp_path / "index"),
        "SANAD_SECRET_KEY": "test-secret",
    }
    return CliRunner().invoke(main, list(args), env=env)


def assert_one_line(result: Result, *expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: cannot use the database")
    for text in expected:
        assert text in lines[0]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_database_path_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = sanad(tmp_path, f"sqlite:///{blocker}/sanad.db", "serve")
    assert_one_line(result, str(blocker))


def test_a_database_path_that_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "sanad.db"
    folder.mkdir()
    assert_one_line(sanad(tmp_path, f"sqlite:///{folder}", "db", "upgrade"), "unable to open")


def test_a_refused_postgresql_masks_the_password(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://sanad:hunter2@127.0.0.1:{closed_port()}/sanad"
    result = sanad(tmp_path, url, "serve")
    assert_one_line(result, "refused", "sanad:********@127.0.0.1")
    assert "hunter2" not in result.output


def test_a_url_without_a_driver(tmp_path: Path) -> None:
    assert_one_line(sanad(tmp_path, "nosuchdb://host/sanad", "db", "upgrade"), "driver")


@pytest.mark.parametrize("command", [("serve",), ("db", "upgrade")])
def test_a_stalled_database_ends_the_command_within_its_timeout(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    """A server that accepts and never answers: start-up gives up after the timeout (2 s)."""
    with StalledListener() as listener:
        started = time.perf_counter()
        result = sanad(tmp_path, listener.url(), *command)
        elapsed = time.perf_counter() - started
    assert_one_line(result, "timeout")
    assert elapsed < 15
