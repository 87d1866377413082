"""Article value objects and the front-matter schema (documented in docs/articles.md)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

LANGS: Final = ("ar", "en")
KINDS: Final = ("article", "faq", "troubleshooting", "workshop")
AUDIENCES: Final = ("public", "internal")
STATUSES: Final = ("draft", "review", "published", "archived")
RTL_LANGS: Final = frozenset({"ar"})


class KbError(Exception):
    """Base of every knowledge-base error."""


class ArticleNotFound(KbError):
    """No article with that id and language (or not visible to the caller)."""


class ArticleInvalid(KbError):
    """An article file that cannot be loaded; carries where and why."""

    def __init__(self, problem: ArticleProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class UnsafePath(KbError):
    """A path that would leave the articles directory or touch ``.git``."""


@dataclass(frozen=True)
class ArticleProblem:
    """One reason an article file was not loaded, pointing at the file and line."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Article:
    """One article in one language, as parsed from its file."""

    id: str
    lang: str
    title: str
    body: str
    path: str  # relative to the articles directory, POSIX separators
    category: str = "general"
    tags: tuple[str, ...] = ()
    kind: str = "article"
    audience: str = "public"
    status: str = "published"
    owner: str | None = None
    updated: dt.date | None = None
    review_by: dt.date | None = None
    translation_of: str | None = None
    description: str | None = None
    # Workshop schedule, source tickets and other fields the schema does not name.
    extra: MappingProxyType[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    content_hash: str = ""

    @property
    def key(self) -> str:
        """Unique key of this language version: ``<lang>/<id>``."""
        return f"{self.lang}/{self.id}"

    @property
    def is_public(self) -> bool:
        """Visible to anonymous visitors."""
        return self.status == "published" and self.audience == "public"

    def visible_at(self, visibility: str) -> bool:
        """Whether a reader of this visibility (``portal.search.models.Visibility``) sees it."""
        if visibility == "all":
            return True
        return self.status == "published" and (
            visibility == "internal" or self.audience == "public"
        )

    @property
    def direction(self) -> str:
        return "rtl" if self.lang in RTL_LANGS else "ltr"


@dataclass(frozen=True)
class LoadResult:
    """Every article that loaded, and every file that did not, with the reason."""

    articles: tuple[Article, ...]
    problems: tuple[ArticleProblem, ...]
