"""The search index: the only code in Sanad that imports ``whoosh`` (an import contract).

- ``schema``: the fields of an article and the tokenizer that analyses them;
- ``writer``: the rebuild's fast segment writer and its helper processes;
- ``generations``: the directory on disk, its live generation, write lock and state file;
- ``scoring``: per-word cached BM25F scores that queries combine, and the search deadline;
- ``results``: what callers pass (``Filter``) and get back (``RawResults``, ``RawHit``);
- ``warm``: the warm, self-refreshing searcher and what is cached with it;
- ``queries``, ``spelling``, ``catalogue``, ``related``: the questions asked of it (ranked
  search; "did you mean" and title prefixes; stored fields and listings; similar articles);
- ``reader``: ``SearchIndex``, the one object per index directory the services hold.

The services (``portal.search.services``, ``portal.search.similar``) use what is named here.
``SanadTokenizer`` must stay importable from this package: generations written before the
split pickled it as ``portal.search.index.SanadTokenizer``.
"""

from portal.search.index.generations import IndexCorrupt, IndexState
from portal.search.index.reader import SearchIndex
from portal.search.index.results import Filter, RawHit, RawResults
from portal.search.index.schema import SanadTokenizer, make_schema
from portal.search.index.scoring import COORDINATION, PLAIN, Ranking

__all__ = [
    "COORDINATION",
    "PLAIN",
    "Filter",
    "IndexCorrupt",
    "IndexState",
    "Ranking",
    "RawHit",
    "RawResults",
    "SanadTokenizer",
    "SearchIndex",
    "make_schema",
]
