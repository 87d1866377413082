"""Fixtures for the job runner's tests: settings over the test database, a job context, a
clock the test moves by hand."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from portal.config import Settings, load_settings
from portal.jobs import JobContext
from portal.kb.repository import ArticleRepository
from tests.support.jobs import Clock


@pytest.fixture
def job_settings(tmp_path: Path, database_url: str, articles_dir: Path) -> Settings:
    return load_settings(
        {
            "instance_dir": tmp_path / "instance",
            "database_url": database_url,
            "articles_dir": articles_dir,
            "secret_key": "jobs-secret",
            "testing": True,
        },
        environ={},
    )


@pytest.fixture
def context(job_settings: Settings, sessions: sessionmaker[Session]) -> JobContext:
    return JobContext(
        settings=job_settings,
        sessions=sessions,
        repository=ArticleRepository(job_settings.articles_dir),
    )


@pytest.fixture
def clock(now: dt.datetime) -> Clock:
    return Clock(now)
