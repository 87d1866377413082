"""Translation staleness: which language version of an article changed after the other.

The Arabic and English versions of an article are linked by the same id or by
``translation_of``. Git is the truth: when one file's last live change is newer than the
other's, the other is stale, and what it needs is the source's diff since the stale version
was last changed. Both changed in one commit counts as translated together.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from portal.kb.models import Article
from portal.kb.repository import ArticleRepository
from portal.kb.workflow import FileDiff, article_text_at, line_diff


@dataclass(frozen=True)
class StaleTranslation:
    """A language version whose counterpart changed after it did."""

    article_id: str  # the stale version
    lang: str
    title: str
    path: str
    owner: str | None
    source_id: str  # the version that changed last
    source_lang: str
    source_title: str
    source_path: str
    since: str  # the stale version's last live commit
    source_commit: str  # the source's last live commit
    changed_at: dt.datetime  # when the source's change went live

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.article_id}"


def translation_pairs(articles: Iterable[Article]) -> list[tuple[Article, Article]]:
    """(Arabic, English) pairs linked by the same id or by ``translation_of`` either way."""
    by_lang: dict[str, dict[str, Article]] = {"ar": {}, "en": {}}
    for article in articles:
        if article.lang in by_lang:
            by_lang[article.lang][article.id] = article
    pairs: list[tuple[Article, Article]] = []
    used: set[str] = set()
    for ar in by_lang["ar"].values():
        en = by_lang["en"].get(ar.id) or (
            by_lang["en"].get(ar.translation_of) if ar.translation_of else None
        )
        if en is None:
            en = next(
                (
                    e
                    for e in by_lang["en"].values()
                    if e.translation_of == ar.id and e.id not in used
                ),
                None,
            )
        if en is not None and en.id not in used:
            used.add(en.id)
            pairs.append((ar, en))
    return pairs


Changes = dict[str, list[tuple[int, str, dt.datetime]]]


def _stale_in(pair: tuple[Article, Article], changes: Changes) -> StaleTranslation | None:
    """Replay the pair's history, oldest first: the later-created version is the translation
    (in step); a change to one makes the other stale; a change to the stale one (or to both
    in one commit) is the translation catching up."""
    first, second = pair
    events: dict[int, tuple[str, set[str], dt.datetime]] = {}
    for article in pair:
        for rank, commit, when in changes.get(article.path, ()):
            events.setdefault(rank, (commit, set(), when))[1].add(article.lang)
    if not changes.get(first.path) or not changes.get(second.path):
        return None  # not both live yet
    created: set[str] = set()
    stale: str | None = None  # the language that is behind
    base = ""  # the last commit at which the pair was in step
    source_commit, source_when = "", dt.datetime.min.replace(tzinfo=dt.UTC)
    for rank in sorted(events, reverse=True):
        commit, langs, when = events[rank]
        fresh = langs - created
        created |= langs
        if len(created) < 2 or fresh or len(langs) == 2:
            stale, base = None, commit  # a translation written, or both changed together
        elif stale is None or stale not in langs:
            if stale is None:
                stale = next(iter({first.lang, second.lang} - langs))
            source_commit, source_when = commit, when
        else:
            stale, base = None, commit  # the stale version caught up
    if stale is None:
        return None
    target, source = (first, second) if first.lang == stale else (second, first)
    return StaleTranslation(
        article_id=target.id,
        lang=target.lang,
        title=target.title,
        path=target.path,
        owner=target.owner or source.owner,
        source_id=source.id,
        source_lang=source.lang,
        source_title=source.title,
        source_path=source.path,
        since=base,
        source_commit=source_commit,
        changed_at=source_when,
    )


class _Cache:
    """Stale translations per live HEAD: article pages ask on every view."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.entries: dict[str, tuple[str, dict[str, StaleTranslation]]] = {}


_cache = _Cache()


def stale_translations(repository: ArticleRepository) -> list[StaleTranslation]:
    """Every stale language version, newest source change first (cached per live commit)."""
    head = repository.head()
    if head is None:
        return []
    root = str(repository.root)
    with _cache.lock:
        cached = _cache.entries.get(root)
    if cached is not None and cached[0] == head:
        found = cached[1]
    else:
        changes = repository.live_changes()
        pairs = translation_pairs(repository.load_all().articles)
        found = {}
        for pair in pairs:
            stale = _stale_in(pair, changes)
            if stale is not None:
                found[stale.key] = stale
        with _cache.lock:
            _cache.entries[root] = (head, found)
    return sorted(found.values(), key=lambda s: (s.changed_at, s.key), reverse=True)


def translation_status(
    repository: ArticleRepository, article_id: str, lang: str
) -> StaleTranslation | None:
    """Whether this language version may be out of date, and against what."""
    return next(
        (s for s in stale_translations(repository) if (s.article_id, s.lang) == (article_id, lang)),
        None,
    )


def translation_diff(repository: ArticleRepository, stale: StaleTranslation) -> FileDiff:
    """The source's changes since the stale version was last changed: what to translate."""
    old = article_text_at(repository, stale.source_path, stale.since) or ""
    new = article_text_at(repository, stale.source_path, stale.source_commit) or ""
    return line_diff(old, new, stale.since[:12], stale.source_commit[:12])
