"""The starter knowledge base that ships in articles/: complete, valid, and findable."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask

from portal.cli import main
from tests.support.articles import PROJECT_ROOT, git

SHIPPED = PROJECT_ROOT / "articles"


@pytest.fixture
def app_overrides(app_overrides: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The app over a private copy of the shipped articles (the tests must not touch the repo)."""
    copy = tmp_path / "shipped"
    shutil.copytree(SHIPPED, copy)
    git(copy, "init", "-q", "-b", "main")
    git(copy, "add", "-A")
    git(copy, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "commit", "-qm", "starter")
    return {**app_overrides, "articles_dir": copy}


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(main, args=list(args))


def test_every_shipped_article_is_valid(app: Flask) -> None:
    result = invoke(app, "articles", "check")
    assert result.exit_code == 0, result.output
    assert " 0 problem(s)" in result.output


def test_starter_topics_exist_in_both_languages(app: Flask) -> None:
    loaded = app.extensions["sanad"].repository.load_all()
    assert loaded.problems == ()
    by_id: dict[str, set[str]] = {}
    for article in loaded.articles:
        by_id.setdefault(article.id, set()).add(article.lang)
    assert all(langs == {"ar", "en"} for langs in by_id.values()), by_id
    topics = [a for a in loaded.articles if a.kind != "workshop" and a.lang == "ar"]
    workshops = [a for a in loaded.articles if a.kind == "workshop" and a.lang == "ar"]
    assert len(topics) >= 25
    assert len(workshops) >= 2
    categories = app.extensions["sanad"].repository.categories()
    assert {a.category for a in loaded.articles} <= set(categories)


@pytest.mark.slow
def test_golden_queries_find_their_articles(app: Flask) -> None:
    """Every pinned query ranks its article in the top 3 (what `sanad search check` enforces)."""
    assert invoke(app, "index", "rebuild").exit_code == 0
    result = invoke(app, "search", "check")
    assert result.exit_code == 0, result.output
    passed, total = result.output.strip().splitlines()[-1].split()[0].split("/")
    assert passed == total
    assert int(total) >= 40
