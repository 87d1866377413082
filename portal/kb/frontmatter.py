"""Article front matter: the only code that reads or writes YAML.

Front matter is split by hand rather than with python-frontmatter's regex: that regex lets
its boundary swallow blank lines (so YAML line numbers drift) and silently treats an
unterminated block as body text. Authors need the exact line of every mistake.

The data files beside the articles (``_categories.yml``, ``_synonyms.yml``, ``_golden.yml``)
are YAML too and are parsed here (``load_yaml``), so one module owns the library.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any, Final

import yaml

from portal.kb.models import (
    AUDIENCES,
    KINDS,
    LANGS,
    STATUSES,
    Article,
    ArticleInvalid,
    ArticleProblem,
    KbError,
)

_SLUG = re.compile(r"^(?!\.)[\w.-]{1,200}$")


FRONT_MATTER_ORDER: Final = (
    "title",
    "id",
    "lang",
    "translation_of",
    "category",
    "tags",
    "kind",
    "audience",
    "status",
    "owner",
    "updated",
    "review_by",
    "description",
)


KNOWN_KEYS: Final = frozenset(FRONT_MATTER_ORDER)


_Fail = Callable[[int | None, str], ArticleInvalid]


_LineOf = Callable[[str], int]


_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BlockDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class FrontMatterUnwritable(ValueError):
    """Values that cannot be written as YAML front matter (an object YAML cannot represent)."""


def is_slug(value: str) -> bool:
    """True for ids and categories that are safe in paths and URLs."""
    return bool(_SLUG.match(value))


def split_front_matter(relative: str, text: str) -> tuple[dict[str, Any], dict[str, int], str]:
    """Front matter as a dict, the file line of each top-level key, and the body.

    Raises ArticleInvalid (with the line) for an unterminated block or invalid YAML. Used
    by the importer to read other knowledge bases' files with the same care.
    """

    def fail(line: int | None, message: str) -> ArticleInvalid:
        return ArticleInvalid(ArticleProblem(relative, line, message))

    return _split_front_matter(text.removeprefix("\ufeff"), fail)


def parse_article(relative: str, data: bytes) -> Article:
    """Parse one article file's bytes; raises ArticleInvalid pointing at the line to fix."""

    def fail(line: int | None, message: str) -> ArticleInvalid:
        return ArticleInvalid(ArticleProblem(relative, line, message))

    content_hash = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise fail(line, f"not valid UTF-8 (byte 0x{data[error.start]:02x})") from None
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise fail(1, "empty file")
    if "\0" in text:
        raise fail(text[: text.index("\0")].count("\n") + 1, "contains a NUL character")

    meta, key_lines, body = _split_front_matter(text, fail)

    def line_of(key: str) -> int:
        return key_lines.get(key, 1)

    stem = PurePosixPath(relative).name.removesuffix(".md")
    suffix_lang = stem.rsplit(".", 1)[1] if "." in stem else None
    if suffix_lang not in LANGS:
        suffix_lang = None

    lang_value = meta.get("lang")
    if lang_value is None:
        if suffix_lang is None:
            raise fail(
                1, "no lang: add `lang: ar` or `lang: en`, or name the file <slug>.<lang>.md"
            )
        lang = suffix_lang
    else:
        lang = str(lang_value).strip().lower()
        if lang not in LANGS:
            raise fail(line_of("lang"), f"unknown lang {lang_value!r}: use one of {LANGS}")
        if suffix_lang is not None and lang != suffix_lang:
            raise fail(
                line_of("lang"), f"lang {lang!r} contradicts the file name suffix .{suffix_lang}"
            )

    default_id = stem.removesuffix(f".{suffix_lang}") if suffix_lang else stem
    article_id = _text(meta.get("id"), "id", line_of, fail) or default_id
    if not is_slug(article_id):
        raise fail(
            line_of("id"),
            f"id {article_id!r} is not a safe slug (letters, digits, '-', '_', '.')",
        )

    title = _text(meta.get("title"), "title", line_of, fail)
    if not title:
        raise fail(line_of("title"), "missing title: add `title: ...` to the front matter")

    parts = PurePosixPath(relative).parts
    category = _text(meta.get("category"), "category", line_of, fail) or (
        parts[0] if len(parts) > 1 else "general"
    )
    if not is_slug(category):
        raise fail(line_of("category"), f"category {category!r} is not a safe slug")

    kind = _choice(meta, "kind", KINDS, "article", line_of, fail)
    audience = _choice(meta, "audience", AUDIENCES, "public", line_of, fail)
    status = _choice(meta, "status", STATUSES, "published", line_of, fail)

    translation_of = _text(meta.get("translation_of"), "translation_of", line_of, fail)
    if translation_of and not is_slug(translation_of):
        raise fail(line_of("translation_of"), f"translation_of {translation_of!r} is not a slug")

    extra = {str(key): value for key, value in meta.items() if str(key) not in KNOWN_KEYS}
    return Article(
        id=article_id,
        lang=lang,
        title=title,
        body=body,
        path=relative,
        category=category,
        tags=_tags(meta.get("tags"), line_of, fail),
        kind=kind,
        audience=audience,
        status=status,
        owner=_text(meta.get("owner"), "owner", line_of, fail),
        updated=_date(meta.get("updated"), "updated", line_of, fail),
        review_by=_date(meta.get("review_by"), "review_by", line_of, fail),
        translation_of=translation_of,
        description=_text(meta.get("description"), "description", line_of, fail),
        extra=MappingProxyType(extra),
        content_hash=content_hash,
    )


def render_article(meta: Mapping[str, Any], body: str) -> str:
    """An article file: YAML front matter (documented key order, then the rest) and the body.
    Raises FrontMatterUnwritable for values YAML cannot represent."""
    ordered: dict[str, Any] = {}
    for key in FRONT_MATTER_ORDER:
        value = meta.get(key)
        if value is not None and value != [] and value != ():
            ordered[key] = list(value) if isinstance(value, tuple) else value
    for key, value in meta.items():
        if key not in ordered and key not in FRONT_MATTER_ORDER:
            ordered[str(key)] = value
    try:
        front = yaml.safe_dump(
            ordered, allow_unicode=True, sort_keys=False, default_flow_style=None, width=10_000
        )
    except (ValueError, TypeError, yaml.YAMLError) as error:
        raise FrontMatterUnwritable(str(error)) from None
    return f"---\n{front}---\n\n{body.strip()}\n"


def block_front_matter(fields: Mapping[str, Any]) -> str:
    """Front matter as people write it: Unicode as is, keys in the given order, one per line
    (the importer's style; ``render_article`` is the editor's)."""
    dumped = yaml.dump(
        dict(fields),
        Dumper=_BlockDumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,  # never fold a long title or description over two lines
    )
    return f"---\n{dumped}---\n\n"


def load_yaml(name: str, text: str) -> Any:
    """A data file's YAML; KbError naming the file and line when it is broken."""
    try:
        return yaml.load(text.removeprefix("\ufeff"), Loader=_Loader)  # noqa: S506  # safe loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise KbError(f"{name}:{line}: {error.problem or error}") from None
    except (yaml.YAMLError, RecursionError) as error:
        raise KbError(f"{name}: {error}") from None


def key_line_of(text: str, key: str) -> int:
    """Line of a top-level front-matter key in a file that already parsed (1 if absent)."""
    lines = text.removeprefix("\ufeff").split("\n")
    if not lines or lines[0].rstrip() != "---":
        return 1
    for number, line in enumerate(lines[1:], start=2):
        if line.rstrip() in ("---", "..."):
            break
        if line.startswith(f"{key}:"):
            return number
    return 1


def _split_front_matter(text: str, fail: _Fail) -> tuple[dict[str, Any], dict[str, int], str]:
    """Front matter (as a dict), the file line of each top-level key, and the body."""
    # Line by line through the front matter only: splitting the whole file into lines and
    # joining the body back was most of the parse time of a long article.
    newline = text.find("\n")
    if (text if newline < 0 else text[:newline]).rstrip() != "---":
        return {}, {}, text
    end = 0  # line number of the closing ---, counting the opening one as 0
    start = newline + 1
    cursor = start
    while newline >= 0:
        end += 1
        newline = text.find("\n", cursor)
        current = text[cursor:] if newline < 0 else text[cursor:newline]
        if current.rstrip() in ("---", "..."):
            break
        cursor = newline + 1
    else:
        raise fail(1, "front matter is not terminated: add a line with --- after it")
    yaml_text = text[start : max(start, cursor - 1)]
    body = "" if newline < 0 else text[newline + 1 :].strip("\n")
    if not yaml_text.strip():
        return {}, {}, body
    try:
        loader = _Loader(yaml_text)
        try:
            node = loader.get_single_node()
            if node is None:
                return {}, {}, body
            if not isinstance(node, yaml.MappingNode):
                raise fail(2, "front matter must be a mapping of `key: value` lines")
            loader.flatten_mapping(node)  # resolves `<<:` merge keys
            meta: dict[str, Any] = {}
            key_lines: dict[str, int] = {}
            # Key by key, so that a value YAML cannot construct (a 13th month) has a line.
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 2
                if not isinstance(key_node, yaml.ScalarNode):
                    raise fail(line, "front matter keys must be plain words")
                key = str(loader.construct_object(key_node, deep=True))
                try:
                    value = loader.construct_object(value_node, deep=True)
                except (ValueError, TypeError, OverflowError) as error:
                    what = "not a date" if value_node.tag.endswith(":timestamp") else "unreadable"
                    raise fail(line, f"{key} {value_node.value!r} is {what}: {error}") from None
                key_lines.setdefault(key, line)
                meta[key] = value
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 2 if mark is not None else 1
        problem = error.problem or error.context or "invalid YAML"
        raise fail(line, f"front matter is not valid YAML: {problem}") from None
    except yaml.reader.ReaderError as error:
        line = yaml_text[: max(error.position, 0)].count("\n") + 2
        character = f"#x{error.character:04x}" if isinstance(error.character, int) else "?"
        message = f"front matter contains a character YAML does not allow ({character})"
        raise fail(min(line, end), message) from None
    except yaml.YAMLError as error:
        raise fail(1, f"front matter is not valid YAML: {error}") from None
    except RecursionError:
        raise fail(1, "front matter is nested too deeply") from None
    return meta, key_lines, body


def _text(value: Any, key: str, line_of: _LineOf, fail: _Fail) -> str | None:
    """A scalar front-matter value as stripped text (None when absent or blank)."""
    if value is None:
        return None
    if isinstance(value, list | dict | set | tuple):
        raise fail(line_of(key), f"{key} must be a single value, not a list or mapping")
    text = str(value).strip()
    return text or None


def _choice(
    meta: Mapping[str, Any],
    key: str,
    allowed: tuple[str, ...],
    default: str,
    line_of: _LineOf,
    fail: _Fail,
) -> str:
    value = meta.get(key)
    if value is None:
        return default
    text = str(value).strip().lower()
    if text not in allowed:
        raise fail(line_of(key), f"unknown {key} {value!r}: use one of {', '.join(allowed)}")
    return text


def _tags(value: Any, line_of: _LineOf, fail: _Fail) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise fail(line_of("tags"), "tags must be a list, e.g. tags: [password, login]")
    tags: list[str] = []
    for item in items:
        if isinstance(item, list | dict):
            raise fail(line_of("tags"), "each tag must be a single word or phrase")
        text = "" if item is None else str(item).strip()
        if text and text not in tags:
            tags.append(text)
    return tuple(tags)


def _date(value: Any, key: str, line_of: _LineOf, fail: _Fail) -> dt.date | None:
    """YAML gives dates, datetimes or strings (quoted, or with a time): all become dates."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.fromisoformat(s).date()):
        try:
            return parse(text)
        except ValueError:
            continue
    raise fail(line_of(key), f"{key} {value!r} is not a date: use YYYY-MM-DD")
