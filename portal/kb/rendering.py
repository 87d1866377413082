"""The only importer of ``markdown`` and ``bleach``: Markdown → sanitized HTML.

CONTRACT (owned by portal.kb).

Articles are written by staff but also imported from other knowledge bases and promoted from
tickets, so their HTML is never trusted: whatever python-markdown produces (including raw HTML
an author typed) goes through ``sanitize_html``, an explicit allow-list. ``attr_list`` is not
enabled because it would let authors attach arbitrary attributes. See docs/sanitizer.md.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import bleach
import markdown
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # not in types-bleach
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension, slugify_unicode


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: str  # sanitized, safe to mark as Markup
    toc: tuple[TocEntry, ...]


# --- the allow-list -----------------------------------------------------------------------

ALLOWED_TAGS: Final = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
        "strong", "em", "b", "i", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
        "dl", "dt", "dd", "kbd", "sup", "sub", "del", "mark",
    }
)  # fmt: skip
ALLOWED_PROTOCOLS: Final = frozenset({"http", "https", "mailto"})
IMAGE_PROTOCOLS: Final = frozenset({"http", "https"})
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_ANCHOR = re.compile(r"^[\w.-]{1,200}$")
_ALIGN: Final = frozenset({"left", "right", "center"})
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Which attributes survive; URL schemes are checked again by bleach afterwards."""
    if tag in _HEADINGS:
        # Heading anchors from the toc extension; anything else could clobber page ids.
        return name == "id" and bool(_ANCHOR.match(value))
    if tag == "a":
        return name in ("href", "title")
    if tag == "img":
        if name == "src":
            scheme = _SCHEME.match(value)
            return scheme is None or scheme.group(1).lower() in IMAGE_PROTOCOLS
        return name in ("alt", "title")
    if tag in ("th", "td"):
        return name == "align" and value.lower() in _ALIGN
    return False


class _SafeLinks(Filter):  # type: ignore[misc]  # html5lib ships no type hints
    """Every remaining link gets ``rel="noopener noreferrer"`` (runs after sanitizing)."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token["data"])
                attrs[(None, "rel")] = "noopener noreferrer"
                token["data"] = attrs
            yield token


_local = threading.local()


def _cleaner() -> bleach.Cleaner:
    # bleach: "This cleaner is not thread-safe--the html parser has internal state."
    cleaner: bleach.Cleaner | None = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allowed_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_SafeLinks],
        )
        _local.cleaner = cleaner
    return cleaner


def sanitize_html(html: str) -> str:
    """The one sanitizing seam: an explicit allow-list, safe links with rel=noopener."""
    return _cleaner().clean(html)


class _ImagesAsLinks(Filter):  # type: ignore[misc]  # html5lib ships no type hints
    """An image becomes a link to it, so viewing a message never fetches an outside URL."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in super().__iter__():
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "img":
                attrs = dict(token["data"])
                src = attrs.get((None, "src"), "")
                label = attrs.get((None, "alt")) or src
                if src:
                    yield {"type": "StartTag", "name": "a", "data": {(None, "href"): src}}
                yield {"type": "Characters", "data": label}
                if src:
                    yield {"type": "EndTag", "name": "a"}
                continue
            yield token


def _message_cleaner() -> bleach.Cleaner:
    cleaner: bleach.Cleaner | None = getattr(_local, "message_cleaner", None)
    if cleaner is None:
        cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allowed_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_ImagesAsLinks, _SafeLinks],
        )
        _local.message_cleaner = cleaner
    return cleaner


# --- Markdown -----------------------------------------------------------------------------


def _converter() -> markdown.Markdown:
    converter: markdown.Markdown | None = getattr(_local, "markdown", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=[
                TableExtension(use_align_attribute=True),  # align="", not style=""
                FencedCodeExtension(),
                TocExtension(permalink=False, slugify=slugify_unicode),  # keeps Arabic letters
                SaneListExtension(),
            ],
            output_format="html",
        )
        _local.markdown = converter
    return converter


def _flatten(tokens: list[dict[str, Any]]) -> Iterator[TocEntry]:
    for token in tokens:
        anchor = str(token.get("id", ""))
        if _ANCHOR.match(anchor):
            title = html.unescape(str(token.get("name", ""))).strip()
            yield TocEntry(level=int(token.get("level", 1)), anchor=anchor, title=title)
        yield from _flatten(token.get("children", []))


class _RenderCache:
    """A bounded LRU keyed by the SHA-256 of the text (the text itself is not kept)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[bytes, Rendered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: bytes) -> Rendered | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: bytes, value: Rendered) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_cache = _RenderCache(size=512)


def _convert(text: str) -> tuple[str, tuple[TocEntry, ...]]:
    """Markdown → unsanitized HTML and its TOC, with this thread's reusable converter."""
    converter = _converter()
    try:
        raw = converter.reset().convert(text)
        return raw, tuple(_flatten(getattr(converter, "toc_tokens", [])))
    finally:
        converter.reset()


def render_markdown(text: str) -> Rendered:
    """Markdown (tables, fenced code, heading anchors) → sanitized HTML; cached by content hash."""
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    cached = _cache.get(key)
    if cached is not None:
        return cached
    raw, toc = _convert(text)
    rendered = Rendered(html=sanitize_html(raw), toc=toc)
    _cache.put(key, rendered)
    return rendered


def render_message(text: str) -> str:
    """A ticket message → sanitized HTML in which images are plain links.

    Requesters write ticket messages; an embedded image would make the agent's browser fetch
    a URL of the requester's choosing (tracking the agent), so nothing is loaded inline.
    """
    raw, _toc = _convert(text)
    return str(_message_cleaner().clean(raw))


# --- plain text for indexing --------------------------------------------------------------

_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[^\n]*$", re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SCRIPTISH = re.compile(
    r"<([sS][cC][rR][iI][pP][tT]|[sS][tT][yY][lL][eE])\b.*?(?:</\1\s*>|\Z)", re.DOTALL
)
# Whole lines that carry no words: code fences, :::image directives, reference definitions,
# horizontal rules and table separator rows. One pass, anchored at line starts.
_MARKUP_LINE = re.compile(
    r"^[ \t]*(?:```.*|~~~.*|:::.*|\[[^\]\n]+\]:[ \t]*\S.*"
    r"|[|: \t-]*-[|: \t-]*|(?:[*_=][ \t]*){3,})$",
    re.MULTILINE,
)
_INCLUDE = re.compile(r"\[!INCLUDE[^\]]*\]\([^)]*\)", re.IGNORECASE)
_ALERT = re.compile(r"\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\]\n]*\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_LINK = re.compile(r"\[([^\]\n]*)\](?:\([^)\n]*\)|\[[^\]\n]*\])")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Literal alternatives keep the regex engine's fast prefix scan (a character class does not).
_URL = re.compile(r"https?://\S+|HTTPS?://\S+|ftp://\S+|www\.\S+|mailto:\S+")
_LINE_MARKS = re.compile(
    r"^[ \t]*(?:#{1,6}[ \t]+|>[ \t>]*|[-*+][ \t]+(?:\[[ xX]\][ \t]+)?|\d{1,9}[.)][ \t]+)",
    re.MULTILINE,
)
_SCRIPT_HINT = re.compile(r"<[sS][cCtT]")
_HEADING = re.compile(r"^([ \t]*#{1,6}[ \t]+.*?)[ \t#]*$", re.MULTILINE)
# Sentence-ending punctuation in both languages: a heading ending in one keeps it.
_STOPS = frozenset(".:!?;؟؛…")
# Inline elements are part of a sentence: dropping their tags must not split a word from its
# punctuation. Any other tag separates words.
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|em|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|u|var)"
    r"\b[^<>]*>",
    re.IGNORECASE,
)


def _tag_space(match: re.Match[str]) -> str:
    return "" if _INLINE_TAG.fullmatch(match.group()) else " "


def _heading_stop(match: re.Match[str]) -> str:
    heading = match.group(1)
    return heading if heading[-1:] in _STOPS else f"{heading}."


_UNDERSCORES = re.compile(r"_+")


def _underscore(match: re.Match[str]) -> str:
    """Emphasis underscores go, ``snake_case`` inside a word stays."""
    text, start, end = match.string, match.start(), match.end()
    inside = start > 0 and end < len(text) and text[start - 1].isalnum() and text[end].isalnum()
    return match.group() if inside else " "


def plain_text(text: str) -> str:
    """Markdown → plain text for indexing and snippets (no markup, no URLs).

    Regular expressions rather than a full render: this runs over every article at index
    time and is about two orders of magnitude faster than Markdown + HTML parsing. Code is
    kept (people search for error codes and commands), URLs and images are dropped, link
    text is kept.
    """
    if "<" in text:
        text = _COMMENT.sub(" ", text)
        if _SCRIPT_HINT.search(text):
            text = _SCRIPTISH.sub(" ", text)
    text = _MARKUP_LINE.sub(" ", text)
    if "[!" in text:
        text = _INCLUDE.sub(" ", text)
        text = _ALERT.sub(" ", text)
    if "[" in text:
        text = _IMAGE.sub(" ", text)
        text = _LINK.sub(r"\1", text)  # link text stays glued to its punctuation
    if "<" in text:
        text = _TAG.sub(_tag_space, text)
    text = _URL.sub(" ", text)
    if "#" in text:  # a heading ends like a sentence, so snippets do not run it into the text
        text = _HEADING.sub(_heading_stop, text)
    text = _LINE_MARKS.sub(" ", text)
    # Emphasis and code marks sit against their words: removing them must not leave a space
    # before the next comma or full stop ("Select **Reset**." → "Select Reset.").
    # str.replace is several times faster than str.translate on non-ASCII text.
    text = text.replace("*", "").replace("`", "").replace("~", "").replace("|", " ")
    if "_" in text:
        text = _UNDERSCORES.sub(_underscore, text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())
