"""Text analysis for both languages: one tokenizer; Arabic rules for Arabic, English for Latin.

Pure Python (PyStemmer aside), so every rule is testable without an index; ``portal.search.index``
wraps :func:`analyze` in a Whoosh tokenizer. Documents and queries go through the same code, so
"كلمة المرور", "كلمه المرور", "كَلِمَةُ المُرُور" and "كلمـــة المرور" all become the same terms.

One analyzer for both languages rather than one per language: Arabic articles quote English
product names ("VPN", "Outlook") and English articles quote Arabic UI labels, so each *token*
is handled by the rules of its own script.

Choices worth knowing (docs/search.md has the measurements behind them):

- Standalone hamza (ء) is dropped. Writers and searchers often omit it ("انشا" for "إنشاء",
  "شي" for "شيء"); dropping it everywhere makes both spellings meet. The cost is rare
  collisions such as "ماء" (water) with "ما", which a help desk can afford.
- Arabic stemming is a light stemmer (Larkey's Light10 affixes, plus a second definite article
  so that "الإلكتروني" and "إلكتروني" meet). It measured clearly better than PyStemmer's Arabic
  Snowball stemmer on ARCD (bench/quality.py); the Snowball variant stays selectable for the
  benchmark.
- Stop words are removed and positions renumbered, so a phrase such as "reset the password"
  matches "reset password" and vice versa.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Final, Literal

import Stemmer

ArabicStemmer = Literal["light", "snowball", "none"]
DEFAULT_ARABIC_STEMMER: Final[ArabicStemmer] = "light"

# --- Arabic normalisation -------------------------------------------------------------------

# Harakat, tanween, shadda, sukun, maddah/hamza marks, superscript alef, Quranic annotation
# marks and the honorific signs: diacritics that writers use inconsistently.
_ARABIC_MARKS = (
    "\u0610-\u061a"  # honorific signs
    "\u064b-\u065f"  # fathatan … wavy hamza below (tanween, harakat, shadda, sukun)
    "\u0670"  # superscript alef
    "\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"  # Quranic annotation marks
)
_TATWEEL = "\u0640"
_MARKS_RE: Final = re.compile(f"[{_ARABIC_MARKS}{_TATWEEL}]")

_LETTER_MAP: Final = str.maketrans(
    {
        "\u0623": "\u0627",  # أ → ا
        "\u0625": "\u0627",  # إ → ا
        "\u0622": "\u0627",  # آ → ا
        "\u0671": "\u0627",  # ٱ (alef wasla) → ا
        "\u0672": "\u0627",  # ٲ
        "\u0673": "\u0627",  # ٳ
        "\u0629": "\u0647",  # ة → ه
        "\u0649": "\u064a",  # ى → ي
        "\u0624": "\u0648",  # ؤ → و
        "\u0626": "\u064a",  # ئ → ي
        "\u0621": None,  # standalone ء: dropped (see the module docstring)
        "\u06cc": "\u064a",  # Persian yeh ی → ي (Persian keyboards)
        "\u06a9": "\u0643",  # Persian keheh ک → ك
        "\u06c0": "\u0647",  # ۀ → ه
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits ٠-٩
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Persian digits ۰-۹
    }
)

# An Arabic-script run: letters, marks, tatweel and Arabic/Persian digits, plus presentation
# forms (ligatures such as ﻻ), which NFKC turns back into letters. Arabic punctuation
# (، ؛ ؟ ٪ ٫ ٬) is excluded so it separates words.
_ARABIC_CHARS = (
    "\u0610-\u061a\u0620-\u065f\u0660-\u0669\u066e-\u06d3\u06d5-\u06ed\u06ee-\u06ff"
    "\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc"
)
# A token is an Arabic-script run or a run of other word characters (Latin, digits, other
# scripts), so "بالVPN" yields an Arabic and a Latin token.
_TOKEN_RE: Final = re.compile(f"[{_ARABIC_CHARS}]+|[^\\W{_ARABIC_CHARS}]+")
_ARABIC_CHAR_RE: Final = re.compile(f"[{_ARABIC_CHARS}]")
_OTHER_WORD_CHAR_RE: Final = re.compile(f"[^\\W{_ARABIC_CHARS}]")
_PRESENTATION_RE: Final = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")


def normalize_arabic(text: str) -> str:
    """Remove tashkeel and tatweel, unify alef/teh marbuta/yeh/hamza forms, ASCII digits."""
    if _PRESENTATION_RE.search(text):
        text = unicodedata.normalize("NFKC", text)
    return _MARKS_RE.sub("", text).translate(_LETTER_MAP)


def _is_arabic_char(char: str) -> bool:
    return bool(char) and _ARABIC_CHAR_RE.match(char) is not None


def normalize_latin(token: str) -> str:
    """Case-fold, and fold compatibility forms (full-width letters, ligatures) when present."""
    if not token.isascii():
        token = unicodedata.normalize("NFKC", token)
    return token.casefold()


def normalize_token(token: str) -> str:
    """The normal form of one token by its script, before stop words and stemming."""
    return normalize_arabic(token) if _is_arabic_char(token[:1]) else normalize_latin(token)


# --- stop words -----------------------------------------------------------------------------

_ARABIC_STOP_TEXT = """
من في على إلى الى عن مع هذا هذه ذلك تلك هذان هاتان هؤلاء أولئك التي الذي الذين اللذان اللتان
اللاتي اللواتي كيف ماذا لماذا متى أين اين هل أن إن أنّ إنّ ما لا لم لن و ف ثم أو أم بل لكن
لكنّ قد لقد كان كانت يكون تكون كانوا هو هي هم هن هما أنا نحن أنت أنتم أنتِ كل بعض غير
عند عندما إذا اذا إذ حتى أي أيّ أيضا أيضًا كما بين بعد قبل منذ حول خلال ضمن دون فيه فيها
فيهم به بها بهم له لها لهم لي عليه عليها عليهم منه منها منهم إليه إليها عنه عنها ذات ليس
ليست هناك هنا حيث ولا وما وهو وهي وفي ومن وعلى وإلى وعن ومع أيّها يا سوف ألا إلا الا
كي لكي لأن لان أما إما بينما مثل تم يتم عبر لدى لدي لديك لديه يجب يمكن يمكنني يمكنك
"""

_ENGLISH_STOP_WORDS_TEXT = """
a an and are as at be been being but by can could did do does for from had has have how i if
in into is it its me my no not of on or our should so than that the their them then there these
they this those to too us was we were what when where which who whom why will with would you
your yours
"""


def _normal_stop(words: str) -> frozenset[str]:
    """Stop words are normalised like any token, so "إلى" also stops "الى"."""
    return frozenset(normalize_token(word) for word in words.split())


ARABIC_STOP_WORDS: Final = _normal_stop(_ARABIC_STOP_TEXT)
ENGLISH_STOP_WORDS: Final = _normal_stop(_ENGLISH_STOP_WORDS_TEXT)
STOP_WORDS: Final = ARABIC_STOP_WORDS | ENGLISH_STOP_WORDS

# --- stemming -------------------------------------------------------------------------------

# Larkey's Light10 affixes, written after normalisation (ة → ه, so ية → يه).
_ARABIC_PREFIXES: Final = ("وال", "بال", "كال", "فال", "لل", "ال")
_ARABIC_SUFFIXES: Final = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")

# PyStemmer objects are not thread-safe; one per thread.
_stemmers = threading.local()


def _snowball(language: str) -> Stemmer.Stemmer:
    stemmer: Stemmer.Stemmer | None = getattr(_stemmers, language, None)
    if stemmer is None:
        stemmer = Stemmer.Stemmer(language)
        setattr(_stemmers, language, stemmer)
    return stemmer


def light_stem_arabic(word: str) -> str:
    """Strip Light10's prefixes and suffixes from a normalised Arabic word, keeping ≥ 2 letters."""
    if len(word) > 3 and word.startswith("و"):
        word = word[1:]
    for prefix in _ARABIC_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            word = word[len(prefix) :]
            break
    # "الإلكتروني" → "الكتروني" after the article, like the bare "إلكتروني": strip once more.
    if word.startswith("ال") and len(word) >= 6:
        word = word[2:]
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            word = word[: -len(suffix)]
    return word


def snowball_stem_arabic(word: str) -> str:
    """PyStemmer's Arabic Snowball stemmer (kept for comparison in bench/quality.py)."""
    return normalize_arabic(_snowball("arabic").stemWord(word))


def stem_english(word: str) -> str:
    """Snowball English (Porter2) via PyStemmer."""
    return str(_snowball("english").stemWord(word))


def stem_token(normal: str, arabic_stemmer: ArabicStemmer = DEFAULT_ARABIC_STEMMER) -> str:
    """Stem one normalised, non-stop token by its script."""
    if _is_arabic_char(normal[:1]):
        if arabic_stemmer == "light":
            return light_stem_arabic(normal)
        if arabic_stemmer == "snowball":
            return snowball_stem_arabic(normal) or normal
        return normal
    if normal.isascii() and normal.isalpha():
        return stem_english(normal)
    return normal


# --- the analyzer ---------------------------------------------------------------------------

# Token text → its term (or None for a stop word). Vocabulary is bounded in practice, so this
# turns the per-token cost into one dict lookup; cleared when it grows past the cap.
_CACHE_LIMIT: Final = 300_000
# One table per (stem, Arabic stemmer), keyed by the token alone: no key tuple per lookup.
_term_caches: dict[tuple[bool, str], dict[str, str | None]] = {}
_UNSEEN: Final = "\0"  # not a term: a lookup's "no entry yet"
# A token longer than this is noise (base64, hashes); its first part is indexed.
MAX_TOKEN_CHARS: Final = 40


def _term_table(stem: bool, arabic_stemmer: ArabicStemmer) -> dict[str, str | None]:
    table = _term_caches.get((stem, arabic_stemmer))
    if table is None:
        table = _term_caches.setdefault((stem, arabic_stemmer), {})
    return table


def term_of(
    token: str, stem: bool = True, arabic_stemmer: ArabicStemmer = DEFAULT_ARABIC_STEMMER
) -> str | None:
    """The index term for one raw token, or None when it is a stop word or empty."""
    table = _term_table(stem, arabic_stemmer)
    try:
        return table[token]
    except KeyError:
        pass
    normal = normalize_token(token[:MAX_TOKEN_CHARS])
    term: str | None
    if not normal or normal in STOP_WORDS or (len(normal) < 2 and _is_arabic_char(normal)):
        term = None  # a lone Arabic letter is a clitic cut off by tatweel or a typo: noise
    else:
        term = stem_token(normal, arabic_stemmer) if stem else normal
    if len(table) >= _CACHE_LIMIT:
        table.clear()
    table[token] = term
    return term


def analyze(
    text: str, stem: bool = True, arabic_stemmer: ArabicStemmer = DEFAULT_ARABIC_STEMMER
) -> list[tuple[str, int, int, int]]:
    """``(term, position, start, end)`` for each kept token; positions skip stop words."""
    out: list[tuple[str, int, int, int]] = []
    position = 0
    for match in _TOKEN_RE.finditer(text):
        term = term_of(match.group(), stem, arabic_stemmer)
        if term is None:
            continue
        out.append((term, position, match.start(), match.end()))
        position += 1
    return out


def term_pairs(
    text: str, arabic_stemmer: ArabicStemmer = DEFAULT_ARABIC_STEMMER
) -> tuple[list[str], list[str]]:
    """The stemmed and the unstemmed terms of :func:`analyze`, from one pass over the text.

    A token is a stop word (or noise) before it is stemmed, so both lists have the same length
    and position ``i`` of one is position ``i`` of the other. The rebuild indexes each body
    stemmed (``body``) and unstemmed (spelling): one tokenisation instead of two. Looked up
    in :func:`term_of`'s own tables first, without a call per token.
    """
    stemmed: list[str] = []
    plain: list[str] = []
    known_plain = _term_table(False, arabic_stemmer).get
    known_stem = _term_table(True, arabic_stemmer).get
    for token in _TOKEN_RE.findall(text):
        word = known_plain(token, _UNSEEN)
        if word is _UNSEEN:
            word = term_of(token, False, arabic_stemmer)
        if word is None:
            continue
        stem = known_stem(token, _UNSEEN)
        if stem is _UNSEEN:
            stem = term_of(token, True, arabic_stemmer)
        stemmed.append(stem or word)
        plain.append(word)
    return stemmed, plain


def terms(
    text: str, stem: bool = True, arabic_stemmer: ArabicStemmer = DEFAULT_ARABIC_STEMMER
) -> list[str]:
    """Just the terms of :func:`analyze`, in order."""
    return [term for term, _pos, _start, _end in analyze(text, stem, arabic_stemmer)]


def raw_tokens(text: str) -> list[tuple[str, int, int]]:
    """Every raw token with its span, stop words included (for spelling suggestions)."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def token_counts(text: str) -> Counter[str]:
    """How often each raw token occurs in ``text``, stop words included (no spans)."""
    return Counter(_TOKEN_RE.findall(text))


# Normalised letter → the other letters ``normalize_arabic`` unifies with it (ا ← أ إ آ …).
_VARIANTS: Final[dict[str, list[str]]] = {}
for _code, _target in _LETTER_MAP.items():
    if isinstance(_target, str) and len(_target) == 1:
        _VARIANTS.setdefault(_target, []).append(chr(_code))
_DROPPED_CHARS: Final = frozenset(
    chr(c) for c in range(0x0600, 0x0700) if _MARKS_RE.match(chr(c))
) | {"\u0621"}


def _folded(text: str, word: str) -> str | None:
    """``text`` with the letters of ``word`` unified (Arabic) or lower-cased, one character
    for one, so a place in the result is a place in ``text``; None when that cannot be."""
    if not _is_arabic_char(word[:1]):
        folded = text.lower()
        return folded if len(folded) == len(text) else None
    for letter in set(word):
        for variant in _VARIANTS.get(letter, ()):
            if variant in text:
                text = text.replace(variant, letter)
    return text


def surface_counts(text: str, word: str) -> Counter[str] | None:
    """How often each raw token of ``text`` whose unstemmed term is ``word`` occurs, when
    that can be counted without tokenising the text; None when it cannot (the caller then
    counts ``token_counts``).

    ``word`` is looked for with ``str.find`` in the text with the word's letters unified
    (Arabic) or lower-cased, one character for one (so places carry over); a match must
    stand as a whole token by the tokenizer's rule, may run on over dropped marks or a final
    hamza (the «إنشاء» of «انشا»), and is checked with ``term_of``. A spelling with a mark
    or hamza inside the word («قراءة» for «قراه») is not found this way, so the matches are
    counted again in the normalised text: None when the two counts differ.
    """
    if not word or (not text.isascii() and _PRESENTATION_RE.search(text)):
        return None
    folded = _folded(text, word)
    if folded is None:
        return None
    arabic = _is_arabic_char(word[:1])
    inside = _ARABIC_CHAR_RE if arabic else _OTHER_WORD_CHAR_RE
    counts: Counter[str] = Counter()
    size = len(word)
    at = folded.find(word)
    while at >= 0:
        end = at + size
        if arabic:
            while end < len(text) and text[end] in _DROPPED_CHARS:
                end += 1
        if not (at and inside.match(text, at - 1)) and not inside.match(text, end):
            token = text[at:end]
            if term_of(token, stem=False) == word:
                counts[token] += 1
        at = folded.find(word, at + 1)
    if not counts or sum(counts.values()) != _occurrences(_normal_text(text, arabic), word):
        return None  # some spelling was not seen (a mark or hamza inside the word)
    return counts


def _normal_text(text: str, arabic: bool) -> str:
    """``text`` normalised as each of its tokens would be (for counting, not for places)."""
    if arabic:
        return normalize_arabic(text)
    return unicodedata.normalize("NFKC", text).casefold() if not text.isascii() else text.lower()


def _occurrences(text: str, word: str) -> int:
    """How many times ``word`` stands as a whole token in ``text``."""
    inside = _ARABIC_CHAR_RE if _is_arabic_char(word[:1]) else _OTHER_WORD_CHAR_RE
    count = 0
    at = text.find(word)
    while at >= 0:
        end = at + len(word)
        if not (at and inside.match(text, at - 1)) and not inside.match(text, end):
            count += 1
        at = text.find(word, at + 1)
    return count


def script_language(text: str) -> str | None:
    """ "ar" or "en" when a query is clearly written in one language, else None.

    Arabic script means Arabic (English articles rarely quote Arabic). Latin script alone is
    English only for a sentence of three words or more: Arabic readers type one or two
    product names ("VPN", "Outlook") in Latin letters, but not whole questions.
    """
    arabic = latin = 0
    for token in _TOKEN_RE.findall(text):
        if _is_arabic_char(token[:1]):
            arabic += 1
        elif token.isascii() and token.isalpha():
            latin += 1
    if arabic and not latin:
        return "ar"
    if latin >= 3 and not arabic:
        return "en"
    return None


def sort_key(title: str) -> str:
    """A title's sortable form: normalised, case-folded, diacritics removed."""
    return " ".join(normalize_token(token) for token, _s, _e in raw_tokens(title))


# --- snippets -------------------------------------------------------------------------------

SNIPPET_CHARS: Final = 220
# Only this much of a body is scanned for matches: snippets stay cheap on huge articles.
_SNIPPET_SCAN_CHARS: Final = 20_000
# A long article's snippet comes from its beginning when the words occur there: looking
# through 20,000 characters for every hit made long articles the slowest searches.
_SNIPPET_FIRST_CHARS: Final = 6_000


def snippet(text: str, wanted: Collection[str], size: int = SNIPPET_CHARS) -> str | None:
    """Safe HTML around the densest cluster of ``wanted`` terms, each in ``<mark>``.

    Everything is escaped; the only markup is ``<mark>``. The first ~6,000 characters are
    searched first and, only when no term occurs there, the first 20,000. None when no term
    occurs in those, so the caller can fall back to the description.
    """
    if not wanted or not text:
        return None
    scan = text
    if len(text) > _SNIPPET_FIRST_CHARS:  # cut at a space: never half a word
        cut = text.rfind(" ", 0, _SNIPPET_FIRST_CHARS)
        scan = text[: cut if cut > _SNIPPET_FIRST_CHARS // 2 else _SNIPPET_FIRST_CHARS]
    spans = _match_spans(scan, wanted)
    if not spans and len(text) > len(scan):
        scan = text[:_SNIPPET_SCAN_CHARS]
        spans = _match_spans(scan, wanted)
    if not spans:
        return None
    # The window of ``size`` characters that starts at a match and holds the most matches.
    best_start, best_count, right = spans[0][0], 0, 0
    for left, (start, _end) in enumerate(spans):
        right = max(right, left)
        while right + 1 < len(spans) and spans[right + 1][1] - start <= size:
            right += 1
        if right - left + 1 > best_count:
            best_start, best_count = start, right - left + 1
    window_start = max(0, best_start - size // 4)
    space = scan.rfind(" ", 0, window_start + 1)
    if window_start > 0 and space > window_start - 20:
        window_start = space + 1
    window_end = min(len(scan), window_start + size)
    space = scan.find(" ", window_end)
    if window_end < len(scan) and 0 <= space < window_end + 20:
        window_end = space
    parts: list[str] = ["…" if window_start > 0 else ""]
    cursor = window_start
    for start, end in spans:
        if start < window_start or end > window_end:
            continue
        parts.append(html.escape(scan[cursor:start]))
        parts.append(f"<mark>{html.escape(scan[start:end])}</mark>")
        cursor = end
    parts.append(html.escape(scan[cursor:window_end]))
    if window_end < len(text):
        parts.append("…")
    return " ".join("".join(parts).split())


# Scanned text → its distinct tokens, for the snippets of the articles found again and
# again (listing them was two thirds of a snippet). Keyed by the text itself, so an edited
# article is simply another key; cleared when full, like the term tables.
_TOKENS_LIMIT: Final = 1_024
_distinct_cache: dict[str, tuple[str, ...]] = {}


def _distinct_tokens(text: str) -> tuple[str, ...]:
    found = _distinct_cache.get(text)
    if found is None:
        # Tokens never span whitespace, so the distinct tokens are those of the distinct
        # whitespace-separated chunks: a third of the text to tokenise in a typical article.
        found = tuple(set(_TOKEN_RE.findall(" ".join(set(text.split())))))
        if len(_distinct_cache) >= _TOKENS_LIMIT:
            _distinct_cache.clear()
        _distinct_cache[text] = found
    return found


def _match_spans(text: str, wanted: Collection[str]) -> list[tuple[int, int]]:
    """Spans of the tokens of ``text`` whose term is in ``wanted``, in order.

    Walking every token in Python (a match object, a lookup) was the slowest part of the
    slowest searches on long articles. Instead the distinct tokens are listed in C
    (``split``, ``findall``), the few whose term is wanted are looked up once each, and their places
    are found with ``str.find``, keeping those that stand as whole tokens by the
    tokenizer's own rule (an Arabic run, or a run of other letters and digits).
    """
    known = _term_table(True, DEFAULT_ARABIC_STEMMER).get
    found: list[str] = []
    for token in _distinct_tokens(text):
        term = known(token, _UNSEEN)
        if term is _UNSEEN:
            term = term_of(token)
        if term in wanted:
            found.append(token)
    spans: list[tuple[int, int]] = []
    for token in found:
        inside = _ARABIC_CHAR_RE if _is_arabic_char(token[:1]) else _OTHER_WORD_CHAR_RE
        size = len(token)
        at = text.find(token)
        while at >= 0:
            end = at + size
            if not (at and inside.match(text, at - 1)) and not inside.match(text, end):
                spans.append((at, end))
            at = text.find(token, end if end > at else at + 1)
    spans.sort()
    return spans


def plain_snippet(text: str, size: int = SNIPPET_CHARS) -> str:
    """The escaped beginning of ``text``, cut at a word boundary."""
    text = " ".join(text.split())
    if len(text) <= size:
        return html.escape(text)
    cut = text.rfind(" ", 0, size)
    return html.escape(text[: cut if cut > size // 2 else size]) + "…"


# --- queries --------------------------------------------------------------------------------

# Quotes that open and close a phrase (ASCII, curly and Arabic guillemets).
_QUOTES: Final = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u201d": "\u201d"}
# Characters of query syntax Sanad does not offer (wildcards, fuzziness, boosts, escapes).
_UNSUPPORTED: Final = frozenset("*~^\\")
MAX_QUERY_UNITS: Final = 32


@dataclass(frozen=True)
class Unit:
    """One thing asked for: alternatives (a synonym group), each a word or a phrase of terms."""

    alternatives: tuple[tuple[str, ...], ...]
    required: bool = False
    excluded: bool = False


@dataclass(frozen=True)
class QueryPlan:
    """A query as analysed terms, ready for the index; building it cannot fail."""

    units: tuple[Unit, ...]
    words: tuple[str, ...]  # normalised, unstemmed words: spelling and fuzzy fallback
    highlight: frozenset[str]  # terms to mark in snippets
    notices: tuple[str, ...] = ()  # "syntax", "truncated"

    @property
    def positive(self) -> bool:
        return any(not unit.excluded for unit in self.units)


class Synonyms:
    """Groups of equivalent words or phrases (``_synonyms.yml``), matched on analysed terms.

    Applied at query time: a query term or phrase in a group becomes an OR of the group, so
    editing the file changes results without reindexing.
    """

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        self._groups: list[tuple[tuple[str, ...], ...]] = []
        self._lookup: dict[tuple[str, ...], int] = {}
        for group in groups:
            seen: list[tuple[str, ...]] = []
            for entry in group:
                analysed = tuple(terms(str(entry)))
                if analysed and analysed not in seen:
                    seen.append(analysed)
            if len(seen) < 2:
                continue
            number = len(self._groups)
            self._groups.append(tuple(seen))
            for analysed in seen:
                self._lookup.setdefault(analysed, number)
        self.longest = max((len(key) for key in self._lookup), default=1)

    def __len__(self) -> int:
        return len(self._groups)

    def group(self, analysed: tuple[str, ...]) -> tuple[tuple[str, ...], ...] | None:
        number = self._lookup.get(analysed)
        return None if number is None else self._groups[number]

    def units(
        self, sequence: list[str], longest: int | None = None
    ) -> list[tuple[tuple[str, ...], ...]]:
        """Split a run of terms into units, longest synonym match first.

        Inside a multi-word match the shorter matches and single words become units too: the
        phrase ranks first, but a document that says "reset your password" still matches
        "password reset".
        """
        limit = self.longest if longest is None else longest
        out: list[tuple[tuple[str, ...], ...]] = []
        index = 0
        while index < len(sequence):
            for length in range(min(limit, len(sequence) - index), 0, -1):
                found = self.group(tuple(sequence[index : index + length]))
                if found is not None:
                    out.append(found)
                    if length > 1:
                        out.extend(self.units(sequence[index : index + length], length - 1))
                    index += length
                    break
            else:
                out.append(((sequence[index],),))
                index += 1
        return out


def _segments(text: str) -> tuple[list[tuple[str, str]], bool]:
    """Split into ("phrase" | "plain" | "+" | "-", text) segments; True if syntax was dropped."""
    segments: list[tuple[str, str]] = []
    dropped = False
    plain: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in _QUOTES:
            end = text.find(_QUOTES[char], index + 1)
            if end > index:
                segments.append(("plain", "".join(plain)))
                plain = []
                segments.append(("phrase", text[index + 1 : end]))
                index = end + 1
                continue
            dropped = True
            plain.append(" ")
        elif char in "+-" and (index == 0 or text[index - 1].isspace()):
            match = _TOKEN_RE.match(text, index + 1)
            if match:
                segments.append(("plain", "".join(plain)))
                plain = []
                segments.append((char, match.group()))
                index = match.end()
                continue
            plain.append(" ")
        else:
            if char in _UNSUPPORTED:
                dropped = True
                char = " "
            plain.append(char)
        index += 1
    segments.append(("plain", "".join(plain)))
    return [s for s in segments if s[1].strip()], dropped


def parse_query(
    text: str, synonyms: Synonyms | None = None, max_units: int = MAX_QUERY_UNITS
) -> QueryPlan:
    """Words, "phrases", +required and -excluded words; everything else is plain text.

    A deliberately small grammar instead of Whoosh's QueryParser: no input can make it fail,
    so there is no error path to fall back from, and phrases and synonyms are matched on the
    same analysed terms the index holds. Wildcards are not offered (``*`` is dropped with a
    notice), so no query can expand to the whole vocabulary.
    """
    synonyms = synonyms or Synonyms()
    segments, dropped = _segments(text)
    units: list[Unit] = []
    words: list[str] = []
    for kind, segment in segments:
        sequence = terms(segment)
        if not sequence:
            continue
        if kind != "-":
            words.extend(w for w in terms(segment, stem=False) if w not in words)
        if kind == "phrase" and len(sequence) > 1:
            group = synonyms.group(tuple(sequence))
            units.append(Unit(group or (tuple(sequence),)))
            continue
        for alternatives in synonyms.units(sequence):
            units.append(Unit(alternatives, required=kind == "+", excluded=kind == "-"))
    unique: list[Unit] = []
    for unit in units:
        if unit not in unique:
            unique.append(unit)
    notices: list[str] = ["syntax"] if dropped else []
    if len(unique) > max_units:
        unique = unique[:max_units]
        notices.append("truncated")
    highlight = frozenset(
        term
        for unit in unique
        if not unit.excluded
        for alternative in unit.alternatives
        for term in alternative
    )
    return QueryPlan(tuple(unique), tuple(words[:max_units]), highlight, tuple(notices))
