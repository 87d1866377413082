"""A missing prerequisite skips its tests on a developer's machine and fails them under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.articles import PROJECT_ROOT

NEEDS_A_CORPUS = """
from tests.support.prerequisites import shared_data

def test_reads_the_corpus():
    shared_data("no-such-corpus")
"""


def run_alone(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_corpus.py").write_text(NEEDS_A_CORPUS, encoding="utf-8")
    env = {
        **os.environ,
        "CI": ci,
        "SANAD_TEST_SHARED_DATA": str(tmp_path / "absent"),
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(("ci", "outcome", "code"), [("", "1 skipped", 0), ("true", "1 failed", 1)])
def test_a_missing_corpus_skips_here_and_fails_under_ci(
    tmp_path: Path, ci: str, outcome: str, code: int
) -> None:
    result = run_alone(tmp_path, ci)
    assert result.returncode == code, result.stdout + result.stderr
    assert outcome in result.stdout
    assert "no-such-corpus is absent" in result.stdout
