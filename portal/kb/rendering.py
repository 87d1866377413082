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

from portal.kb.render_budget import MAX_BLOCK_COST, MAX_RENDER_CHARS, defuse, measure


@dataclass(frozen=True)
class TocEntry:
    level: int
    anchor: str
    title: str


@dataclass(frozen=True)
class Rendered:
    html: str  # sanitized, safe to mark as Markup
    toc: tuple[TocEntry, ...]
    # Why the text is shown as plain text rather than rendered (None: rendered in full).
    limited: str | None = None


# Heading ids of text that visitors, requesters and authors type are prefixed, so "# reply
# body" cannot become id="reply-body" and take over an id of the page around it. Published
# articles keep their plain anchors: readers link to them. See docs/sanitizer.md.
USER_ID_PREFIX: Final = "user-content-"


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
    return _other_attribute(tag, name, value)


def _user_attribute(tag: str, name: str, value: str) -> bool:
    """As ``_allowed_attribute``, but a heading id must carry the user-content prefix."""
    if tag in _HEADINGS:
        return name == "id" and value.startswith(USER_ID_PREFIX) and bool(_ANCHOR.match(value))
    return _other_attribute(tag, name, value)


def _other_attribute(tag: str, name: str, value: str) -> bool:
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


def _make_cleaner(user: bool, images_as_links: bool) -> bleach.Cleaner:
    # bleach: "This cleaner is not thread-safe--the html parser has internal state."
    key = f"cleaner_{user}_{images_as_links}"
    cleaner: bleach.Cleaner | None = getattr(_local, key, None)
    if cleaner is None:
        cleaner = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_user_attribute if user else _allowed_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_ImagesAsLinks, _SafeLinks] if images_as_links else [_SafeLinks],
        )
        setattr(_local, key, cleaner)
    return cleaner


def _cleaner() -> bleach.Cleaner:
    return _make_cleaner(user=False, images_as_links=False)


def sanitize_html(html: str) -> str:
    """The one sanitizing seam: an explicit allow-list, safe links with rel=noopener."""
    return _cleaner().clean(html)


# A mail's HTML part (the local mailbox's reader): the article allow-list plus the blocks and
# the direction/language attributes mail templates use; no style, no script, images as links.
MAIL_TAGS: Final = ALLOWED_TAGS | {"div", "span", "small", "u", "s", "center"}
_TEXT_DIRECTIONS: Final = frozenset({"rtl", "ltr", "auto"})
_LANG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _mail_attribute(tag: str, name: str, value: str) -> bool:
    if name == "dir":
        return value.lower() in _TEXT_DIRECTIONS
    if name == "lang":
        return bool(_LANG.match(value))
    if tag in _HEADINGS:
        return False  # an id could clobber the page's own
    return _other_attribute(tag, name, value)


def sanitize_mail_html(html: str) -> str:
    """A mail's HTML made safe to show inside a page: an allow-list without styles or
    scripts, safe links, and every image a link (reading a mail never fetches a URL)."""
    cleaner: bleach.Cleaner | None = getattr(_local, "cleaner_mail", None)
    if cleaner is None:
        cleaner = bleach.Cleaner(
            tags=MAIL_TAGS,
            attributes=_mail_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[_ImagesAsLinks, _SafeLinks],
        )
        _local.cleaner_mail = cleaner
    return cleaner.clean(html)


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


# --- Markdown -----------------------------------------------------------------------------


def _user_slug(value: str, separator: str) -> str:
    return USER_ID_PREFIX + slugify_unicode(value, separator)


def _converter(user: bool) -> markdown.Markdown:
    key = "markdown_user" if user else "markdown"
    converter: markdown.Markdown | None = getattr(_local, key, None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=[
                TableExtension(use_align_attribute=True),  # align="", not style=""
                FencedCodeExtension(),
                # slugify_unicode keeps Arabic letters in anchors
                TocExtension(permalink=False, slugify=_user_slug if user else slugify_unicode),
                SaneListExtension(),
            ],
            output_format="html",
        )
        setattr(_local, key, converter)
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


def _convert(text: str, user: bool = False) -> tuple[str, tuple[TocEntry, ...]]:
    """Markdown → unsanitized HTML and its TOC, with this thread's reusable converter."""
    converter = _converter(user)
    try:
        raw = converter.reset().convert(text)
        return raw, tuple(_flatten(getattr(converter, "toc_tokens", [])))
    finally:
        converter.reset()


# C0 controls other than tab and newline become "?", as bleach shows them.
_CONTROLS: Final = {code: "?" for code in range(32) if code not in (9, 10)}


def _plain_html(text: str) -> str:
    """Text as escaped paragraphs with line breaks: linear, and needs no sanitizing."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROLS)
    paragraphs = (part.strip("\n") for part in re.split(r"\n[ \t]*+\n", text))
    return "\n".join(
        "<p>" + html.escape(part).replace("\n", "<br>\n") + "</p>" for part in paragraphs if part
    )


_UNCLOSED = "too much markup that never closes (brackets, backticks, '<')"


def _prepared(text: str) -> tuple[str | None, str]:
    """The reason ``text`` is shown as plain text (or None), and the text to render."""
    limited = measure(text).reason
    if limited is not None:
        return limited, text
    defused, cost = defuse(text)
    return (_UNCLOSED if cost > MAX_BLOCK_COST else None), defused


def render_limit(text: str) -> str | None:
    """Why ``text`` would be shown as plain text instead of rendered, or None.

    ``sanad articles check`` reports it; see ``portal.kb.render_budget`` for the limits."""
    return _prepared(text)[0]


def _render(text: str, user: bool, images_as_links: bool) -> Rendered:
    limited, prepared = _prepared(text)
    if limited is None:
        try:
            raw, toc = _convert(prepared, user)
        except RecursionError:  # a nesting the budget did not foresee: never a 500
            limited = "nested too deeply to render"
        else:
            return Rendered(html=_make_cleaner(user, images_as_links).clean(raw), toc=toc)
    return Rendered(html=_plain_html(text), toc=(), limited=limited)


def render_markdown(text: str, *, user: bool = False) -> Rendered:
    """Markdown (tables, fenced code, heading anchors) → sanitized HTML; cached by content hash.

    ``user=True`` for text shown inside a working page (a draft's preview): heading ids get
    the ``user-content-`` prefix. A text too costly to render is shown as plain text
    (``Rendered.limited`` says why)."""
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass") + bytes([user])).digest()
    cached = _cache.get(key)
    if cached is not None:
        return cached
    rendered = _render(text, user, images_as_links=False)
    _cache.put(key, rendered)
    return rendered


def render_message(text: str) -> str:
    """A ticket message → sanitized HTML in which images are plain links.

    Requesters write ticket messages; an embedded image would make the agent's browser fetch
    a URL of the requester's choosing (tracking the agent), so nothing is loaded inline.
    Heading ids carry the ``user-content-`` prefix.
    """
    return _render(text, user=True, images_as_links=True).html


# --- plain text for indexing --------------------------------------------------------------

# Every pattern here runs over untrusted text (ticket bodies, imported articles), so each is
# linear: a repeated part cannot also match what follows it (bracket classes exclude the
# opening bracket too, so a run of "[" or "](" never rescans the rest of the line), and runs
# that could be split two ways are possessive ("*+"). tests/kb/test_pathological.py holds
# them to that on a megabyte of each bad shape.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_SCRIPTISH = re.compile(
    r"<([sS][cC][rR][iI][pP][tT]|[sS][tT][yY][lL][eE])\b.*?(?:</\1\s*>|\Z)", re.DOTALL
)
# Whole lines that carry no words: code fences, :::image directives, reference definitions,
# horizontal rules and table separator rows. One pass, anchored at line starts.
_MARKUP_LINE = re.compile(
    r"^[ \t]*+(?:```.*|~~~.*|:::.*|\[[^\[\]\n]++\]:[ \t]*+\S.*"
    r"|(?=[|: \t]*+-)[|: \t-]*+|(?:[*_=][ \t]*+){3,}+)$",
    re.MULTILINE,
)
_INCLUDE = re.compile(r"\[!INCLUDE[^\[\]]*+(?:\[[^\[\]]*+)?\]\([^()]*+\)", re.IGNORECASE)
_ALERT = re.compile(r"\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]", re.IGNORECASE)
_IMAGE = re.compile(r"!\[[^\[\]\n]*+\](?:\([^()\n]*+\)|\[[^\[\]\n]*+\])")
_LINK = re.compile(r"\[([^\[\]\n]*+)\](?:\([^()\n]*+\)|\[[^\[\]\n]*+\])")
_TAG = re.compile(r"</?[A-Za-z][^<>]*+>")
# Literal alternatives keep the regex engine's fast prefix scan (a character class does not).
_URL = re.compile(r"https?://\S+|HTTPS?://\S+|ftp://\S+|www\.\S+|mailto:\S+")
_LINE_MARKS = re.compile(
    r"^[ \t]*+(?:#{1,6}[ \t]++|>[ \t>]*+|[-*+][ \t]++(?:\[[ xX]\][ \t]++)?|\d{1,9}[.)][ \t]++)",
    re.MULTILINE,
)
_SCRIPT_HINT = re.compile(r"<[sS][cCtT]")
# A heading line, matched greedily to its end (linear); its closing hashes go in _heading_stop.
_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t][^\n]*", re.MULTILINE)
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
    heading = match.group().rstrip(" \t#")
    return heading if heading[-1:] in _STOPS else f"{heading}."


# Emphasis underscores go, ``snake_case`` inside a word stays: a whole run of underscores,
# unless a letter or digit stands on both sides of it. In C, not a Python call per run.
_UNDERSCORES = re.compile(r"(?<!_)(?:_++(?![^\W_])|(?<![^\W_])_++)")


def plain_text(text: str) -> str:
    """Markdown → plain text for indexing and snippets (no markup, no URLs).

    Regular expressions rather than a full render: this runs over every article at index
    time and is about two orders of magnitude faster than Markdown + HTML parsing. Code is
    kept (people search for error codes and commands), URLs and images are dropped, link
    text is kept.
    """
    if len(text) > MAX_RENDER_CHARS:  # a longer body is indexed by its beginning
        cut = text.rfind("\n", MAX_RENDER_CHARS // 2, MAX_RENDER_CHARS)
        text = text[: cut if cut > 0 else MAX_RENDER_CHARS]
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
        text = _UNDERSCORES.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())
