"""More-like-this: existing articles similar to a text (a ticket about to become a draft).

CONTRACT (owned by portal.search; SearchService.similar calls it, through ``listings``).

The index picks the text's key terms and searches them in the body and, boosted, the title
(``SearchIndex.like_text``): a ticket whose words are an article's title is the clearest
duplicate there is. What is left here is the policy: how much text to read, how many hits to
show, and where a hit stops being a duplicate.
"""

from __future__ import annotations

import logging
from typing import Final

from portal.search.entries import entry
from portal.search.index import IndexCorrupt, SearchIndex
from portal.search.models import MAX_PER_PAGE, ArticleEntry

log = logging.getLogger("portal.search")

# Only the start of a very long text is read: its key terms are already clear by then.
MAX_TEXT: Final = 20_000
KEY_TERMS: Final = 16
TITLE_BOOST: Final = 2.0
# A hit scoring below this share of the best one is left out.
MIN_SHARE: Final = 0.3


def similar_entries(
    index: SearchIndex, text: str, *, lang: str | None, limit: int, exclude: str | None
) -> list[ArticleEntry]:
    """Up to ``limit`` articles whose body is most like ``text``; never raises on any text."""
    text = (text or "")[:MAX_TEXT]
    limit = min(MAX_PER_PAGE, max(1, limit))
    if not text.strip():
        return []
    try:
        hits = index.like_text(
            text,
            lang=lang,
            exclude=exclude,
            limit=limit,
            key_terms=KEY_TERMS,
            title_boost=TITLE_BOOST,
        )
    except IndexCorrupt:
        raise  # the service rebuilds the index and asks again
    except Exception:  # a duplicate hint must never break promoting a ticket
        log.exception("similar articles: lookup failed")
        return []
    if not hits:
        return []
    # Past the best few, hits share a stray common word with the text: not duplicates.
    floor = hits[0].score * MIN_SHARE
    return [entry(hit.fields) for hit in hits if hit.score >= floor]
