"""Golden queries: ``articles/_golden.yml`` pins the article each query should find."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from portal.kb.models import KbError
from portal.kb.repository import ArticleRepository
from portal.search.models import GoldenResult, SearchQuery, SearchResults

log = logging.getLogger("portal.search")

GOLDEN_FILE: Final = "_golden.yml"


def check_golden(
    repository: ArticleRepository, search: Callable[[SearchQuery], SearchResults]
) -> tuple[GoldenResult, ...]:
    """Run every golden query through ``search`` and report each pinned article's rank."""
    try:
        data = repository.read_data(GOLDEN_FILE)
    except KbError as error:
        log.error("cannot read %s: %s", GOLDEN_FILE, error)
        return ()
    entries = data.get("queries") if isinstance(data, dict) else None
    results: list[GoldenResult] = []
    for item in entries if isinstance(entries, list) else ():
        if not isinstance(item, dict) or not item.get("q") or not item.get("expect"):
            continue
        lang = str(item["lang"]) if item.get("lang") else None
        expected = str(item["expect"])
        found = search(SearchQuery(str(item["q"]), lang=lang, per_page=10, visibility="all"))
        rank = next(
            (
                number
                for number, hit in enumerate(found.hits, start=1)
                if expected in (hit.entry.key, hit.entry.id)
            ),
            None,
        )
        results.append(GoldenResult(str(item["q"]), lang, expected, rank))
    return tuple(results)
