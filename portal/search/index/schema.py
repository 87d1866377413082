"""The fields of an article in the index and the tokenizer that analyses them.

``SanadTokenizer`` is pickled into every generation's table of contents, so its options are
all it carries and its import path must keep resolving (``portal.search.index`` re-exports
it for generations written before this package was split).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from whoosh.analysis import Token, Tokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from portal.search import analysis
from portal.search.analysis import ArabicStemmer

FORMAT: Final = 3  # bump when the schema or analysis changes: older generations are rebuilt
# Query-time field boosts: a title match outranks a tag match outranks a body match.
FIELD_BOOSTS: Final = {"title": 6.0, "tags": 3.0, "description": 2.0, "body": 1.0}
FACETS: Final = ("category", "kind", "lang")


class SanadTokenizer(Tokenizer):  # type: ignore[misc]  # whoosh is untyped
    """Whoosh face of :func:`portal.search.analysis.analyze` (tokens, normalisation, stems).

    Pickled into every index's table of contents, so it carries only its two options.
    """

    def __init__(self, stem: bool = True, arabic_stemmer: ArabicStemmer = "light") -> None:
        self.stem = stem
        self.arabic_stemmer = arabic_stemmer

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, SanadTokenizer)
            and other.stem == self.stem
            and other.arabic_stemmer == self.arabic_stemmer
        )

    def __hash__(self) -> int:
        return hash((self.stem, self.arabic_stemmer))

    def has_morph(self) -> bool:
        return self.stem

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for term, pos, start, end in analysis.analyze(value, self.stem, self.arabic_stemmer):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def make_schema(arabic_stemmer: ArabicStemmer = "light") -> Schema:
    """The fields of one article; ``words``/``title_words`` are unstemmed for spelling."""
    stemmed = SanadTokenizer(stem=True, arabic_stemmer=arabic_stemmer)
    plain = SanadTokenizer(stem=False)
    return Schema(
        key=ID(stored=True, unique=True),
        id=ID(stored=True, sortable=True),  # columns: other-language versions, per searcher
        lang=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        kind=ID(stored=True, sortable=True),
        status=ID(stored=True),
        audience=ID(stored=True),
        path=ID(stored=True),
        translation_of=ID(stored=True, sortable=True),
        updated=STORED(),
        tag_list=STORED(),
        tag=KEYWORD(commas=True, lowercase=True, scorable=True),
        title=TEXT(analyzer=stemmed, stored=True),
        tags=TEXT(analyzer=stemmed),
        description=TEXT(analyzer=stemmed, stored=True),
        body=TEXT(analyzer=stemmed, stored=True),
        words=TEXT(analyzer=plain, phrase=False),
        title_words=TEXT(analyzer=plain, phrase=False),
        title_sort=ID(sortable=True),
    )
