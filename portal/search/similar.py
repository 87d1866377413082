"""More-like-this: existing articles similar to a text (a ticket about to become a draft).

CONTRACT (owned by portal.search; SearchService.similar calls it).
"""

from __future__ import annotations

from portal.search.index import SearchIndex
from portal.search.models import ArticleEntry


def similar_entries(
    index: SearchIndex, text: str, *, lang: str | None, limit: int, exclude: str | None
) -> list[ArticleEntry]:
    """Up to ``limit`` articles whose body is most like ``text``; never raises on any text."""
    raise NotImplementedError
