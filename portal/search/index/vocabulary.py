"""The indexed words in memory, for "which words are within N edits of this one".

Both "did you mean" and the fuzzy fallback need the indexed words within an edit distance
of a word. Whoosh's ``terms_within`` walks every indexed word with the same first letter
and computes its distance in pure Python: for an Arabic word (a tenth of the vocabulary
starts with the alef of «ال») that was ~20 ms per unknown word, and a real question has
several; it was 88 % of the time of 400 distinct questions at 5,400 articles. ``Vocabulary``
gives the same answer from the words read once per searcher, grouped by first letter and
length, computing the distance (Whoosh's own function) only for words that pass two exact
bounds.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.searching import Searcher
from whoosh.support.levenshtein import distance as edit_distance

from portal.search.index.warm import WarmSearcher


class Vocabulary:
    """The indexed words of one field, for "words within ``distance`` edits of a word".

    ``within(word, d)`` is Whoosh's ``IndexReader.terms_within(field, word, d, prefix=1)``:
    the words with the same first letter whose Damerau-Levenshtein distance (Whoosh's
    function) is at most ``d``, in the index's order. Two bounds, each exact, spare most
    distance computations: the lengths differ by at most ``d`` (an edit changes the length by
    at most one), and each word has at most ``d`` letters that the other lacks, counted with
    repetition (an edit takes at most one letter away and brings at most one in). A word's
    letters are a bit set of (letter, occurrence) pairs, so the second bound is two
    ``bit_count`` calls. A test compares the answers with Whoosh's.
    """

    def __init__(self, words: Iterable[str]) -> None:
        self._bits: dict[tuple[str, int], int] = {}
        # first letter → the words, until first asked; then → length → [(word, letters)]
        self._waiting: dict[str, list[str]] = {}
        self._groups: dict[str, dict[int, list[tuple[str, int]]]] = {}
        for word in words:
            if word:
                self._waiting.setdefault(word[0], []).append(word)

    def _group(self, first: str) -> dict[int, list[tuple[str, int]]]:
        found = self._groups.get(first)
        if found is None:
            found = {}
            for word in self._waiting.pop(first, ()):
                found.setdefault(len(word), []).append((word, self._letters(word)))
            self._groups[first] = found
        return found

    def _letters(self, word: str) -> int:
        """The (letter, occurrence) bits of an indexed word, new pairs getting new bits."""
        mask = 0
        bits = self._bits
        seen: dict[str, int] = {}
        for letter in word:
            count = seen[letter] = seen.get(letter, 0) + 1
            bit = bits.get((letter, count))
            if bit is None:
                bit = bits[(letter, count)] = 1 << len(bits)
            mask |= bit
        return mask

    def within(self, word: str, distance: int) -> list[str]:
        """Indexed words within ``distance`` edits of ``word`` with its first letter, sorted."""
        by_length = self._group(word[:1])
        if not by_length:
            return []
        bits = self._bits
        mask = 0
        unknown = 0  # (letter, occurrence) pairs of ``word`` in no indexed word: in no mask
        seen: dict[str, int] = {}
        for letter in word:
            count = seen[letter] = seen.get(letter, 0) + 1
            bit = bits.get((letter, count))
            if bit is None:
                unknown += 1
            else:
                mask |= bit
        if unknown > distance:
            return []
        found: list[str] = []
        size = len(word)
        for length in range(max(1, size - distance), size + distance + 1):
            for term, letters in by_length.get(length, ()):
                if (letters & ~mask).bit_count() > distance:
                    continue
                if (mask & ~letters).bit_count() + unknown > distance:
                    continue
                if edit_distance(term, word, limit=distance) <= distance:
                    found.append(term)
        found.sort()
        return found


def vocabulary(warm: WarmSearcher, searcher: Searcher) -> Vocabulary:
    """The ``words`` field's vocabulary of the current searcher, read once per searcher."""
    found = warm.caches.vocabulary
    if found is None:
        reader = searcher.reader()
        field = searcher.schema["words"]
        found = Vocabulary(field.from_bytes(text) for text in reader.lexicon("words"))
        warm.caches.vocabulary = found
    return found


def terms_within(warm: WarmSearcher, word: str, distance: int) -> list[str]:
    """Indexed words (``words`` field) within ``distance`` edits of ``word``, same first letter."""
    with warm.reading() as searcher:
        return vocabulary(warm, searcher).within(word, distance)
