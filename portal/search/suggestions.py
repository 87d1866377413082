"""Suggest-as-you-type: titles that match what is typed so far, or, for a whole sentence,
the strong hits of a search for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from portal.config import SearchSettings
from portal.search import analysis
from portal.search.answers import AnswerCache
from portal.search.entries import entry
from portal.search.index import Filter, SearchIndex
from portal.search.indexing import Indexer
from portal.search.models import MAX_PER_PAGE, ArticleEntry, SearchQuery, SearchResults, Visibility

# From this many words, suggest-as-you-type treats the text as a sentence: a search first.
SENTENCE_WORDS: Final = 3


class Suggestions:
    """The ticket form's and the search box's suggestions."""

    def __init__(
        self,
        settings: SearchSettings,
        index: SearchIndex,
        answers: AnswerCache,
        indexer: Indexer,
        search: Callable[[SearchQuery], SearchResults],
    ) -> None:
        self.settings = settings
        self.index = index
        self.answers = answers
        self.indexer = indexer
        self.search = search

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
        text = (text or "")[: self.settings.max_query_chars]
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
                for item in entries:
                    if len(found) < limit and item.key not in keys:
                        keys.add(item.key)
                        found.append(item)

            def prefixed() -> None:
                add(entry(f) for f in self.index.prefix_titles(words[:-1], words[-1], flt, limit))

            sentence = len(words) >= SENTENCE_WORDS
            if not sentence:
                prefixed()
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
                prefixed()
            return tuple(found)

        def run() -> tuple[ArticleEntry, ...]:
            key = ("suggest", tuple(words), text, flt, limit, reader_lang, self.index.token())
            return self.answers.get(key, titles)

        return self.indexer.with_index(run)
