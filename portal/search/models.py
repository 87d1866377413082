"""Values that cross the search boundary (service → web, CLI, API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Protocol

# public: published + audience public (anonymous visitors); internal: every published article
# (staff); all: every status, for editors and checks.
Visibility = Literal["public", "internal", "all"]


class Reader(Protocol):
    """Whoever reads: a signed-in account (``portal.accounts.models.UserInfo``)."""

    @property
    def reads_internal(self) -> bool: ...


def visibility_for(reader: Reader | None) -> Visibility:
    """What a reader may be shown: internal articles for those who may read them, else public.

    The one rule for search, listings and article pages, HTML and API alike.
    """
    return "internal" if reader is not None and reader.reads_internal else "public"


MAX_PER_PAGE = 50


class SearchError(Exception):
    """Base of every search error."""


class IndexUnavailable(SearchError):
    """The index could not be opened or rebuilt."""


@dataclass(frozen=True)
class SearchQuery:
    """What a person asked for; every field already validated by the caller's form."""

    text: str
    lang: str | None = None  # restrict hits to this language; None = every language
    category: str | None = None
    kind: str | None = None
    tag: str | None = None
    page: int = 1
    per_page: int = 10
    visibility: Visibility = "public"
    # The reader's interface language: when both languages answer, its results come first
    # (unless the query is clearly written in the other language). Never a filter.
    reader_lang: str | None = None


@dataclass(frozen=True)
class ArticleEntry:
    """An article as the index knows it: enough to list and link it without reading the file."""

    id: str
    lang: str
    title: str
    path: str
    category: str
    kind: str
    tags: tuple[str, ...] = ()
    description: str = ""
    updated: dt.date | None = None
    status: str = "published"
    audience: str = "public"
    translation_of: str | None = None

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.id}"

    @property
    def direction(self) -> str:
        return "rtl" if self.lang == "ar" else "ltr"


@dataclass(frozen=True)
class Hit:
    """One search result; ``snippet`` is safe HTML whose only markup is ``<mark>``."""

    entry: ArticleEntry
    snippet: str
    score: float
    # The same article in the other language(s), visible to the same reader.
    translations: tuple[ArticleEntry, ...] = ()


@dataclass(frozen=True)
class SearchResults:
    """One page of results with facets, a spelling suggestion and any notice for the user."""

    query: str
    total: int
    page: int
    per_page: int
    hits: tuple[Hit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # category/kind/lang → counts
    suggestion: str | None = None  # "did you mean", from the index vocabulary
    fuzzy: bool = False  # no exact match: these hits come from the typo-tolerant fallback
    timed_out: bool = False  # the time guard stopped the search; results may be partial
    # A message for the person, as a gettext msgid key (see portal.search.querying.NOTICES).
    notice: str | None = None
    # Matches that are not in the weak tail; hits after the first ``strong`` of the whole
    # ranking are "more results". None: no tail was measured (everything is strong).
    strong: int | None = None

    def weak(self, position: int) -> bool:
        """Whether the hit at ``position`` (0-based, on this page) belongs to the weak tail."""
        if self.strong is None:
            return False
        return (self.page - 1) * self.per_page + position >= self.strong

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class ArticlePage:
    """One page of a plain listing (category pages, the articles API)."""

    total: int
    page: int
    per_page: int
    entries: tuple[ArticleEntry, ...]


@dataclass(frozen=True)
class IndexReport:
    """What a rebuild or sync did."""

    mode: Literal["rebuild", "sync", "noop"]
    added: int
    updated: int
    removed: int
    problems: tuple[str, ...]  # broken files, "path:line: message"
    commit: str | None
    seconds: float


@dataclass(frozen=True)
class GoldenResult:
    query: str
    lang: str | None
    expected: str  # "<lang>/<id>" or "<id>"
    rank: int | None  # 1-based rank, None = not in the top results

    @property
    def passed(self) -> bool:
        return self.rank is not None and self.rank <= 3
