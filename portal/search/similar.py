"""More-like-this: existing articles similar to a text (a ticket about to become a draft).

CONTRACT (owned by portal.search; SearchService.similar calls it).

The text's key terms are picked by Whoosh's Bo1 model against the body field, through the
body's own analyzer, so Arabic and English go through the same normalisation and stemming as
the articles did. They are then searched in the body and, boosted, the title: a ticket whose
words are an article's title is the clearest duplicate there is.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Final

from whoosh import collectors, query

from portal.search.index import GuardedCollector, IndexCorrupt, SearchIndex
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
    from portal.search.services import _entry  # the one place index fields become entries

    text = (text or "")[:MAX_TEXT]
    limit = min(MAX_PER_PAGE, max(1, int(limit)))
    if not text.strip():
        return []
    try:
        with index._reading() as searcher:
            terms = searcher.key_terms_from_text("body", text, numterms=KEY_TERMS)
            if not terms:
                return []
            parts: list[query.Query] = []
            for term, weight in terms:
                parts.append(query.Term("body", term, boost=float(weight)))
                parts.append(query.Term("title", term, boost=float(weight) * TITLE_BOOST))
            allowed = set(searcher.docs_for_query(query.Term("lang", lang))) if lang else None
            if allowed is not None and not allowed:
                return []
            restrict: set[int] | None = None
            if exclude:
                number = searcher.document_number(key=exclude)
                restrict = {number} if number is not None else None
            guard = GuardedCollector(
                searcher.collector(limit=limit), allowed, restrict, index.time_limit
            )
            with contextlib.suppress(collectors.TimeLimit):
                searcher.search_with_collector(query.Or(parts), guard)
            hits = list(guard.results())[:limit]
            if not hits:
                return []
            # Past the best few, hits share a stray common word with the text: not duplicates.
            floor = float(hits[0].score) * MIN_SHARE
            return [_entry(hit.fields()) for hit in hits if float(hit.score) >= floor]
    except IndexCorrupt:
        raise  # the service rebuilds the index and asks again
    except Exception:  # a duplicate hint must never break promoting a ticket
        log.exception("similar articles: lookup failed")
        return []
