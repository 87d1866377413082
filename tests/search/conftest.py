"""Search fixtures: a SearchService over the test's own article repository and index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from portal.config import load_settings
from portal.kb.repository import ArticleRepository
from portal.search.services import SearchService
from tests.support.search import ServiceFactory


@pytest.fixture
def make_service(tmp_path: Path, articles_dir: Path) -> Iterator[ServiceFactory]:
    """Build SearchServices (think: gunicorn workers) sharing one articles dir and index."""
    made: list[SearchService] = []

    def make(**overrides: Any) -> SearchService:
        settings = load_settings(
            {
                "articles_dir": articles_dir,
                "index_dir": tmp_path / "search_index",
                "instance_dir": tmp_path / "instance",
                "secret_key": "test-secret",
                "testing": True,
                **overrides,
            }
        )
        service = SearchService(settings, ArticleRepository(articles_dir))
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


@pytest.fixture
def service(make_service: ServiceFactory) -> SearchService:
    return make_service()
