"""Search use cases: query, suggest, list, related, rebuild, sync, golden checks.

CONTRACT (owned by portal.search; portal.web and portal.cli code against these signatures):
one ``SearchService`` per application, built by ``create_app`` and shared by every request of
a worker. It is thread-safe and keeps a warm searcher that it refreshes when another process
changes the index.

The index is a cache of the articles: anything wrong with it (missing, half-written, garbage
in a segment) is cured by rebuilding from the files, which every read path does on its own.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar

from portal.config import Settings
from portal.kb.models import Article, ArticleInvalid, ArticleNotFound, KbError
from portal.kb.rendering import plain_text
from portal.kb.repository import ArticleRepository
from portal.search import analysis
from portal.search.analysis import QueryPlan, Synonyms, parse_query
from portal.search.index import (
    Filter,
    IndexCorrupt,
    IndexState,
    Ranking,
    RawResults,
    SearchIndex,
)
from portal.search.learned import LearnedStore
from portal.search.models import (
    MAX_PER_PAGE,
    ArticleEntry,
    ArticlePage,
    GoldenResult,
    Hit,
    IndexReport,
    IndexUnavailable,
    SearchQuery,
    SearchResults,
    Visibility,
)

log = logging.getLogger("portal.search")

# Notices a SearchResults may carry; the web layer translates them.
NOTICES = {
    "empty": "Type a few words to search.",
    "truncated": "Your search was long, so only its beginning was used.",
    "timed_out": "The search took too long; these results may be incomplete.",
    "syntax": "Some characters in your search were ignored.",
    "fuzzy": "No exact matches; showing close matches instead.",
}

SYNONYMS_FILE: Final = "_synonyms.yml"
GOLDEN_FILE: Final = "_golden.yml"
CACHE_SIZE: Final = 4096
# Below this many articles a single-process writer is faster than forking helpers.
PARALLEL_REBUILD_FROM: Final = 2000
# A rebuild waits this long for another process's rebuild or sync to finish.
WRITE_WAIT_SECONDS: Final = 600.0
# How the top of a ranking is refined (docs/search.md: what bench/quality.py measured).
# From this many words, suggest-as-you-type treats the text as a sentence: a search first.
SENTENCE_WORDS: Final = 3
RANKING: Final = Ranking(coverage=1.0, tail=0.3)

T = TypeVar("T")


class SearchService:
    """The per-application search engine."""

    def __init__(
        self,
        settings: Settings,
        repository: ArticleRepository,
        ranking: Ranking = RANKING,
        learned: LearnedStore | None = None,
    ) -> None:
        self.settings = settings
        self.repository = repository
        self.ranking = ranking
        self.learned = learned  # learning from use (docs/search.md); None: not blended
        self._index = SearchIndex(settings.index_dir, settings.search.time_limit)
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._synonyms = Synonyms()
        self._synonyms_stamp: tuple[int, int] | None = None
        self._synonyms_version = 0
        self._synonyms_lock = threading.Lock()

    # --- searching -----------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """Ranked hits with snippets, facets, suggestion; never raises on user input."""
        page = max(1, int(query.page))
        per_page = min(MAX_PER_PAGE, max(1, int(query.per_page)))
        text = query.text or ""
        notices: list[str] = []
        if len(text) > self.settings.search.max_query_chars:
            text = text[: self.settings.search.max_query_chars]
            notices.append("truncated")
        text = text.strip()
        flt = Filter(query.visibility, query.lang, query.category, query.kind, query.tag)
        if not text:
            if query.tag or query.category or query.kind:
                return self._browse(query, flt, page, per_page)
            return SearchResults(query.text, 0, page, per_page, (), notice="empty")
        synonyms, version = self._current_synonyms()
        prefer = self._preferred(text, query)

        def compute() -> SearchResults:
            plan = parse_query(text, synonyms)
            if not plan.positive:
                found = [*notices, *plan.notices]
                notice = "syntax" if "syntax" in found else "empty"
                return SearchResults(query.text, 0, page, per_page, (), notice=notice)
            learned = self._learned_boosts(text, flt)
            return self._run_search(
                query.text, plan, flt, page, per_page, [*notices, *plan.notices], prefer, learned
            )

        def run() -> SearchResults:
            # Keyed by the raw text: a repeated query skips parsing as well as searching.
            token = self._index.token()
            learned = self.learned.version() if self.learned is not None else 0
            key = ("search", query.text, flt, page, per_page, prefer, token, version, learned)
            return self._cached(key, compute)

        return self._with_index(run)

    def _honest(
        self, shown: str, corrections: Mapping[str, str], exact: RawResults, flt: Filter
    ) -> str | None:
        """ "Did you mean": the corrected query, only if it is made of words the index knows
        and finds more documents, or a first hit with more of its words, than the original."""
        candidate = _suggestion(shown, corrections)
        if candidate is None:
            return None
        plan = parse_query(candidate, self._current_synonyms()[0])
        if not plan.positive or not all(
            len(word) < 3 or self._index.known(word) for word in plan.words
        ):
            return None
        check = self._index.search_plan(plan, flt, 0, 1, facets=False, ranking=self.ranking)
        if check.total == 0:
            return None
        if check.total > exact.total or check.coverage > exact.coverage:
            return candidate
        return None

    def _learned_boosts(self, text: str, flt: Filter) -> dict[str, float]:
        """What was learned to answer ``text``, only for articles this reader may see: an
        internal article is never boosted for a visitor (``portal.search.learning``)."""
        if self.learned is None:
            return {}
        boosts = self.learned.boosts(text, dt.datetime.now(dt.UTC))
        visibility: Visibility = flt.visibility  # type: ignore[assignment]
        return {
            key: share
            for key, share in boosts.items()
            if (fields := self._index.key_of(key)) is not None and _visible(fields, visibility)
        }

    def _preferred(self, text: str, query: SearchQuery) -> str | None:
        """The language whose results come first: the query's script, else the reader's."""
        if query.lang or not self.ranking.language:
            return None
        return analysis.script_language(text) or query.reader_lang or None

    def _browse(self, query: SearchQuery, flt: Filter, page: int, per_page: int) -> SearchResults:
        """No words but a tag, category or kind: every matching article, sorted by title."""

        def run() -> SearchResults:
            total, found = self._index.listing(flt, (page - 1) * per_page, per_page)
            facets = {name: self._index.counts(name, flt) for name in ("category", "kind", "lang")}
            hits = tuple(
                Hit(
                    entry := _entry(fields),
                    analysis.plain_snippet(entry.description or str(fields.get("body") or "")),
                    0.0,
                    self.translations(entry, query.visibility),
                )
                for fields in found
            )
            return SearchResults(query.text, total, page, per_page, hits, facets=facets)

        return self._with_index(run)

    def _run_search(
        self,
        shown: str,
        plan: QueryPlan,
        flt: Filter,
        page: int,
        per_page: int,
        notices: list[str],
        prefer: str | None = None,
        learned: Mapping[str, float] | None = None,
    ) -> SearchResults:
        offset = (page - 1) * per_page
        raw = self._index.search_plan(
            plan, flt, offset, per_page, ranking=self.ranking, prefer=prefer, learned=learned
        )
        exact = raw
        fuzzy = False
        highlight: frozenset[str] = plan.highlight
        if raw.total == 0 and not raw.timed_out and plan.words:
            fuzzy_query = self._index.fuzzy_query(plan.words)
            if fuzzy_query is not None:
                raw = self._index.search(fuzzy_query, flt, offset, per_page)
                fuzzy = raw.total > 0
        corrections = self._index.vocabulary_suggestions(plan.words)
        suggestion = self._honest(shown, corrections, exact, flt)
        if fuzzy and corrections:
            highlight = highlight | {
                term for word in corrections.values() for term in analysis.terms(word)
            }
        visibility: Visibility = flt.visibility  # type: ignore[assignment]
        hits = tuple(
            Hit(
                entry := _entry(hit.fields),
                _snippet(hit.fields, highlight),
                hit.score,
                self.translations(entry, visibility),
            )
            for hit in raw.hits
        )
        if raw.timed_out:
            notices = ["timed_out", *notices]
        elif fuzzy:
            notices = ["fuzzy", *notices]
        return SearchResults(
            query=shown,
            total=raw.total,
            page=page,
            per_page=per_page,
            hits=hits,
            facets=raw.facets,
            suggestion=suggestion,
            fuzzy=fuzzy,
            timed_out=raw.timed_out,
            notice=notices[0] if notices else None,
            strong=None if fuzzy else raw.strong,
        )

    def generation(self) -> Hashable:
        """Changes whenever a search could answer differently: the index content or synonyms.

        For callers caching whole answers (the JSON API); checked like the result cache.
        """
        return self._with_index(lambda: (self._index.token(), self._current_synonyms()[1]))

    def suggest(
        self,
        text: str,
        lang: str | None = None,
        limit: int = 5,
        visibility: Visibility = "public",
        reader_lang: str | None = None,
    ) -> tuple[ArticleEntry, ...]:
        """Search-as-you-type: titles that match the words typed so far (prefix on the last).

        People describe problems in whole sentences («لا يصلني رمز التحقق»), whose words are
        rarely all in one title: when the titles give fewer than ``limit`` articles, the
        strong hits of a search for the sentence fill the list.
        """
        text = (text or "")[: self.settings.search.max_query_chars]
        words = [
            word
            for token, _start, _end in analysis.raw_tokens(text)
            if (word := analysis.term_of(token, stem=False)) is not None
        ][-8:]
        limit = min(MAX_PER_PAGE, max(1, limit))
        if not words or len(words[-1]) < 2:
            return ()
        flt = Filter(visibility, lang)

        def titles() -> tuple[ArticleEntry, ...]:
            found: list[ArticleEntry] = []
            keys: set[str] = set()

            def add(entries: Iterable[ArticleEntry]) -> None:
                for entry in entries:
                    if len(found) < limit and entry.key not in keys:
                        keys.add(entry.key)
                        found.append(entry)

            sentence = len(words) >= SENTENCE_WORDS
            if not sentence:
                add(_entry(f) for f in self._index.prefix_titles(words[:-1], words[-1], flt, limit))
            if len(found) < limit and len(words) >= 2:
                results = self.search(
                    SearchQuery(
                        text,
                        lang=lang,
                        per_page=limit,
                        visibility=visibility,
                        reader_lang=reader_lang,
                    )
                )
                if not results.fuzzy:
                    add(
                        hit.entry
                        for position, hit in enumerate(results.hits)
                        if not results.weak(position)
                    )
            if sentence and len(found) < limit:
                add(_entry(f) for f in self._index.prefix_titles(words[:-1], words[-1], flt, limit))
            return tuple(found)

        def run() -> tuple[ArticleEntry, ...]:
            key = ("suggest", tuple(words), text, flt, limit, reader_lang, self._index.token())
            return self._cached(key, titles)

        return self._with_index(run)

    def list_articles(
        self,
        lang: str | None = None,
        category: str | None = None,
        kind: str | None = None,
        page: int = 1,
        per_page: int = 20,
        visibility: Visibility = "public",
    ) -> ArticlePage:
        """Visible articles sorted by title; for category pages and the articles API."""
        page = max(1, page)
        per_page = min(MAX_PER_PAGE, max(1, per_page))
        flt = Filter(visibility, lang, category, kind)

        def run() -> ArticlePage:
            total, found = self._index.listing(flt, (page - 1) * per_page, per_page)
            return ArticlePage(total, page, per_page, tuple(_entry(f) for f in found))

        return self._with_index(run)

    def get_entry(
        self, article_id: str, lang: str | None = None, visibility: Visibility = "public"
    ) -> ArticleEntry | None:
        """The entry for ``article_id`` in ``lang`` (any language when None)."""
        terms = {"id": article_id, **({"lang": lang} if lang else {})}
        found = self._with_index(lambda: self._index.documents(Filter(visibility), **terms))
        if not found:
            return None
        preferred = self.settings.default_locale
        found.sort(key=lambda f: (f.get("lang") != preferred, str(f.get("lang"))))
        return _entry(found[0])

    def translations(
        self, entry: ArticleEntry, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Other-language versions: same id, or linked either way by ``translation_of``."""
        flt = Filter(visibility)

        def run() -> list[Mapping[str, Any]]:
            ids = [entry.id, entry.translation_of or ""]
            return self._index.versions(ids, entry.lang, flt)

        out: dict[str, ArticleEntry] = {}
        for fields in self._with_index(run):
            other = _entry(fields)
            if other.lang != entry.lang:
                out.setdefault(other.key, other)
        return tuple(sorted(out.values(), key=lambda e: e.lang))

    def related(
        self, entry: ArticleEntry, limit: int = 5, visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Similar articles in the same language (more-like-this, shared tags, category)."""
        flt = Filter(visibility, entry.lang)
        limit = min(MAX_PER_PAGE, max(1, limit))

        def run() -> tuple[ArticleEntry, ...]:
            key = ("related", entry.key, flt, limit, self._index.token())
            return self._cached(
                key,
                lambda: tuple(
                    _entry(f)
                    for f in self._index.more_like(
                        entry.key, flt, entry.tags, entry.category, limit
                    )
                ),
            )

        return self._with_index(run)

    def similar(
        self, text: str, *, lang: str | None = None, limit: int = 5, exclude: str | None = None
    ) -> list[ArticleEntry]:
        """Articles most like ``text`` (Whoosh more-like-this over the body), best first.

        Used before a ticket is promoted to a draft, so duplicates are avoided; every article
        is a candidate whatever its status. ``exclude`` is an article key (``lang/id``).
        """
        from portal.search.similar import similar_entries

        return self._with_index(
            lambda: similar_entries(self._index, text, lang=lang, limit=limit, exclude=exclude)
        )

    def categories(
        self, lang: str | None = None, visibility: Visibility = "public"
    ) -> dict[str, int]:
        """Category slug → number of visible articles."""
        flt = Filter(visibility, lang)
        return self._with_index(lambda: self._index.counts("category", flt))

    def entries(
        self, keys: Sequence[str], visibility: Visibility = "public"
    ) -> tuple[ArticleEntry, ...]:
        """Entries for ``<lang>/<id>`` keys, in the given order, skipping unknown or hidden."""

        def run() -> tuple[ArticleEntry, ...]:
            out: list[ArticleEntry] = []
            for key in dict.fromkeys(keys):
                fields = self._index.key_of(str(key))
                if fields is not None and _visible(fields, visibility):
                    out.append(_entry(fields))
            return tuple(out)

        return self._with_index(run)

    # --- indexing ------------------------------------------------------------------------

    def rebuild(self) -> IndexReport:
        """Build a fresh index in a new directory and swap it in atomically."""
        started = time.perf_counter()
        with self._index.writing(WRITE_WAIT_SECONDS):
            return self._rebuild_locked(started)

    def _rebuild_locked(self, started: float) -> IndexReport:
        head = self.repository.head()
        loaded = self.repository.load_all()
        dirty = self._dirty(head)
        procs = 2 if len(loaded.articles) >= PARALLEL_REBUILD_FROM and _cpus() > 1 else 1
        count = self._index.rebuild(
            (_document(article) for article in loaded.articles),
            IndexState(head, tuple(sorted(dirty))),
            procs,
        )
        self._clear_cache()
        log.info("search index rebuilt: %d articles in %.2fs", count, time.perf_counter() - started)
        return IndexReport(
            mode="rebuild",
            added=count,
            updated=0,
            removed=0,
            problems=tuple(str(problem) for problem in loaded.problems),
            commit=head,
            seconds=time.perf_counter() - started,
        )

    def _dirty(self, head: str | None) -> set[str]:
        """Article paths whose work-tree content differs from ``head`` (uncommitted edits)."""
        if head is None:
            return set()
        changes = self.repository.changes_since(head)
        return set(changes.articles) if changes is not None else set()

    def sync(self) -> IndexReport:
        """Apply what changed since the indexed commit; rebuild if the index is missing/corrupt."""
        started = time.perf_counter()
        with self._index.writing(WRITE_WAIT_SECONDS):
            state = self._index.read_state()
            if state is None:
                return self._rebuild_locked(started)
            head = self.repository.head()
            changes = self.repository.changes_since(state.commit)
            if changes is None:
                return self._rebuild_locked(started)
            paths = set(changes.articles) | set(state.dirty)
            dirty = set(changes.articles) if head == state.commit else self._dirty(head)
            if not paths:
                if head != state.commit:
                    self._index.write_state(IndexState(head, ()))
                return IndexReport("noop", 0, 0, 0, (), head, time.perf_counter() - started)
            try:
                report = self._apply(sorted(paths), IndexState(head, tuple(sorted(dirty))))
            except IndexCorrupt as error:
                log.warning("sync found the index broken (%s); rebuilding", error)
                return self._rebuild_locked(started)
        self._clear_cache()
        added, updated, removed, problems = report
        return IndexReport(
            "sync", added, updated, removed, problems, head, time.perf_counter() - started
        )

    def _apply(self, paths: list[str], state: IndexState) -> tuple[int, int, int, tuple[str, ...]]:
        """Reindex ``paths``: every old document of a path goes, its current article comes."""
        everything = Filter("all")
        changed = set(paths)
        before: set[str] = set()
        documents: dict[str, dict[str, Any]] = {}
        problems: list[str] = []
        added = updated = 0
        for path in paths:
            before.update(str(f["key"]) for f in self._index.documents(everything, path=path))
            try:
                article = self.repository.load(path)
            except ArticleNotFound:
                continue
            except ArticleInvalid as invalid:
                problems.append(str(invalid.problem))
                continue
            existing = self._index.key_of(article.key)
            other = str(existing["path"]) if existing is not None else None
            if article.key in documents or (
                other is not None
                and other != path
                and other not in changed
                and (self.repository.root / other).is_file()
            ):
                first = documents[article.key]["path"] if article.key in documents else other
                problems.append(
                    f"{path}: duplicate id {article.id!r} in lang {article.lang!r}: "
                    f"already used by {first}"
                )
                continue
            documents[article.key] = _document(article)
            if existing is None and article.key not in before:
                added += 1
            else:
                updated += 1
        self._index.apply(paths, list(documents.values()), state)
        removed = len(before - set(documents))
        return added, updated, removed, tuple(problems)

    # --- golden queries ------------------------------------------------------------------

    def check_golden(self) -> tuple[GoldenResult, ...]:
        """Run ``articles/_golden.yml`` and report each pinned article's rank."""
        try:
            data = self.repository.read_data(GOLDEN_FILE)
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
            found = self.search(
                SearchQuery(str(item["q"]), lang=lang, per_page=10, visibility="all")
            )
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

    def close(self) -> None:
        """Release the searcher and file handles."""
        self._index.close()
        self._clear_cache()

    # --- plumbing ------------------------------------------------------------------------

    def _with_index(self, work: Callable[[], T]) -> T:
        """Run ``work``; if the index is missing or broken, rebuild it once and retry."""
        try:
            return work()
        except IndexCorrupt as error:
            log.warning("search index unusable (%s); rebuilding", error)
            self._recover(error.generation)
        try:
            return work()
        except IndexCorrupt as error:
            raise IndexUnavailable(str(error)) from error

    def _recover(self, generation: str | None) -> None:
        """Rebuild unless another process already replaced the broken generation."""
        started = time.perf_counter()
        with self._index.writing(WRITE_WAIT_SECONDS):
            current = self._index.current_path()
            if current is None or current.name == generation or self._index.read_state() is None:
                self._rebuild_locked(started)
        self._index.refresh_now()

    def _cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._cache_lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                found: T = self._cache[key]
                return found
        value = compute()
        with self._cache_lock:
            self._cache[key] = value
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def _clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _current_synonyms(self) -> tuple[Synonyms, int]:
        """``_synonyms.yml``, reloaded when the file changes (no reindex needed)."""
        try:
            stat = (self.repository.root / SYNONYMS_FILE).stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        with self._synonyms_lock:
            if stamp != self._synonyms_stamp:
                self._synonyms = _load_synonyms(self.repository)
                self._synonyms_stamp = stamp
                self._synonyms_version += 1
            return self._synonyms, self._synonyms_version


# --- conversions ------------------------------------------------------------------------------


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _load_synonyms(repository: ArticleRepository) -> Synonyms:
    try:
        data = repository.read_data(SYNONYMS_FILE)
    except KbError as error:
        log.error("ignoring %s: %s", SYNONYMS_FILE, error)
        return Synonyms()
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        return Synonyms()
    return Synonyms(
        [str(word) for word in group if word is not None]
        for group in groups
        if isinstance(group, list)
    )


def _document(article: Article) -> dict[str, Any]:
    """The index document of one article."""
    body = plain_text(article.body)
    tags = " ; ".join(article.tags)
    description = article.description or ""
    return {
        "key": article.key,
        "id": article.id,
        "lang": article.lang,
        "category": article.category,
        "kind": article.kind,
        "status": article.status,
        "audience": article.audience,
        "path": article.path,
        "translation_of": article.translation_of or "",
        "updated": article.updated.isoformat() if article.updated else None,
        "tag_list": list(article.tags),
        "tag": ",".join(tag.lower() for tag in article.tags),
        "title": article.title,
        "tags": tags,
        "description": description,
        "body": body,
        "words": "\n".join((article.title, tags, description, body)),
        "title_words": article.title,
        "title_sort": analysis.sort_key(article.title) or article.id,
    }


def _entry(fields: Mapping[str, Any]) -> ArticleEntry:
    updated = fields.get("updated")
    try:
        date = dt.date.fromisoformat(updated) if isinstance(updated, str) else None
    except ValueError:
        date = None
    return ArticleEntry(
        id=str(fields.get("id", "")),
        lang=str(fields.get("lang", "")),
        title=str(fields.get("title", "")),
        path=str(fields.get("path", "")),
        category=str(fields.get("category", "")),
        kind=str(fields.get("kind", "article")),
        tags=tuple(str(tag) for tag in fields.get("tag_list") or ()),
        description=str(fields.get("description") or ""),
        updated=date,
        status=str(fields.get("status", "published")),
        audience=str(fields.get("audience", "public")),
        translation_of=str(fields.get("translation_of") or "") or None,
    )


def _visible(fields: Mapping[str, Any], visibility: Visibility) -> bool:
    if visibility == "all":
        return True
    if fields.get("status") != "published":
        return False
    return visibility == "internal" or fields.get("audience") == "public"


def _snippet(fields: Mapping[str, Any], highlight: frozenset[str]) -> str:
    """Marked body text around the matches, else the description, else the body's start."""
    body = str(fields.get("body") or "")
    found = analysis.snippet(body, highlight)
    if found:
        return found
    description = str(fields.get("description") or "")
    return analysis.snippet(description, highlight) or analysis.plain_snippet(description or body)


def _suggestion(text: str, corrections: Mapping[str, str]) -> str | None:
    """The query with each unknown word replaced by its correction, keeping everything else."""
    if not corrections:
        return None
    parts: list[str] = []
    cursor = 0
    changed = False
    for token, start, end in analysis.raw_tokens(text):
        word = analysis.term_of(token, stem=False)
        if word is not None and word in corrections:
            parts.append(text[cursor:start])
            parts.append(corrections[word])
            cursor = end
            changed = True
    parts.append(text[cursor:])
    return " ".join("".join(parts).split()) if changed else None
