"""What some tests need from outside the repository, and what happens when it is missing.

On a developer's machine a missing prerequisite (Chromium, PostgreSQL, the shared corpora)
skips the tests that need it, with a message saying what to install. Under ``CI=true`` the
same absence fails the run: a green CI must not hide that half the suite never ran.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from tests.support.articles import PROJECT_ROOT

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
# The corpora ship beside the repository (../shared/data), never inside it.
SHARED_DATA = Path(
    os.environ.get("SANAD_TEST_SHARED_DATA") or PROJECT_ROOT.parent / "shared" / "data"
)


def missing(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it under CI=true."""
    if CI:
        pytest.fail(f"{reason} (CI=true: a missing prerequisite fails the run)", pytrace=False)
    pytest.skip(reason)


def shared_data(name: str) -> Path:
    """A corpus under the shared data directory; the test is skipped (CI: failed) without it."""
    path = SHARED_DATA / name
    if not path.exists():
        missing(
            f"shared corpus {path} is absent: it ships beside the repository in ../shared/data "
            "(or set SANAD_TEST_SHARED_DATA)"
        )
    return path
