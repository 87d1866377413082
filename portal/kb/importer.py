"""Import a foreign Markdown knowledge base into the articles directory.

Other knowledge bases (Microsoft's docs repositories, static-site generators) use their own
front matter. This maps the fields that carry meaning for Sanad (title, description, dates,
service/topic, locale) onto the Sanad schema, keeps the body as written, records where each
article came from in ``source:``, and commits the whole import at once so it can be reverted
with a single ``git revert``. The mapping is documented in docs/articles.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Final

from portal.kb.frontmatter import (
    block_front_matter,
    is_slug,
    parse_article,
    split_front_matter,
)
from portal.kb.models import LANGS, ArticleInvalid, ArticleProblem
from portal.kb.repository import ArticleRepository

log = logging.getLogger("portal.kb")

MARKDOWN_SUFFIXES: Final = (".md", ".markdown")
# Fragments pulled into other pages, and repository housekeeping: never articles of their own.
FRAGMENT_DIRS: Final = frozenset({"includes", "_includes", "media", "images", ".github"})
HOUSEKEEPING: Final = frozenset(
    {"readme.md", "contributing.md", "license.md", "security.md", "code_of_conduct.md"}
)
# ms.lasthandoff is when a translated Microsoft page was last handed over: its latest update.
DATE_KEYS: Final = ("updated", "ms.date", "date", "last_updated", "lastmod", "ms.lasthandoff")
LOCALE_KEYS: Final = ("lang", "ms.locale", "ms.contentlocale", "locale", "language")
KIND_BY_TOPIC: Final = {"troubleshooting": "troubleshooting", "faq": "faq", "faqs": "faq"}
# The whole line, trailing "#"s stripped in Python: "(.+?)[ \t#]*$" was quadratic on a line
# of " # # # …" (8.6 s for 10,000 characters).
_HEADING = re.compile(r"^#[ \t]++(.+)$", re.MULTILINE)
_INLINE_HTML = re.compile(r"<[^<>]*>")
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z]")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_NOT_SLUG = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class ImportOutcome:
    """Paths written (relative to the repository root) and files skipped, with reasons."""

    written: tuple[str, ...]
    skipped: tuple[ArticleProblem, ...]


@dataclass(frozen=True)
class _Candidate:
    relative: str  # inside the repository
    text: str


def slugify(value: str) -> str:
    """Lower-case slug that keeps letters of every script (Arabic stays Arabic)."""
    value = unicodedata.normalize("NFKC", value).lower()
    slug = _NOT_SLUG.sub("-", value).replace("_", "-").strip("-.")
    slug = re.sub(r"-{2,}", "-", slug)
    return slug[:120].strip("-")


def detect_lang(text: str) -> str:
    """``ar`` when at least a fifth of the letters are Arabic (product names stay Latin)."""
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ar" if arabic and arabic * 4 >= latin else "en"


def parse_date(value: Any) -> dt.date | None:
    """Dates as YAML objects, ISO strings or the US ``MM/DD/YYYY`` that Microsoft docs use."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _US_DATE.match(text)
    try:
        if match:
            return dt.date(int(match[3]), int(match[1]), int(match[2]))
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [
        str(item).strip() for item in items if isinstance(item, str | int) and str(item).strip()
    ]


def _first_heading(body: str) -> str | None:
    match = _HEADING.search(body)
    if not match:
        return None
    text = match[1].rstrip(" \t#") or match[1]
    title = " ".join(_INLINE_HTML.sub("", text).split())
    return title or None


def _lang_of(meta: Mapping[str, Any], title: str, body: str) -> str:
    for key in LOCALE_KEYS:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lower().replace("_", "-").split("-")[0]
    return detect_lang(f"{title}\n{body}")


def _source_files(source: Path) -> Iterator[Path]:
    for path in sorted(source.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.parts):
            yield path


def _front_matter(fields: Mapping[str, Any]) -> str:
    """Front matter as people write it: Unicode as is, keys in schema order, one per line."""
    return block_front_matter(fields)


def plan_import(
    source: Path, repository: ArticleRepository, lang: str | None = None
) -> tuple[list[_Candidate], list[ArticleProblem]]:
    """Read ``source`` and decide, file by file, what to write where (nothing is written)."""
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown lang {lang!r}")
    existing = repository.load_all()
    taken: dict[tuple[str, str], str] = {(a.id, a.lang): a.path for a in existing.articles}
    taken_paths = set(repository.article_paths())
    candidates: list[_Candidate] = []
    skipped: list[ArticleProblem] = []
    label = source.resolve().name

    for path in _source_files(source):
        shown = f"{label}/{path.relative_to(source).as_posix()}"

        def skip(line: int | None, reason: str, shown: str = shown) -> None:
            skipped.append(ArticleProblem(shown, line, reason))

        relative_parts = path.relative_to(source).parts
        if not path.name.lower().endswith(MARKDOWN_SUFFIXES):
            skip(None, "not a Markdown file")
            continue
        if path.name.lower() in HOUSEKEEPING:
            skip(None, "repository housekeeping file, not an article")
            continue
        if any(part.lower() in FRAGMENT_DIRS for part in relative_parts[:-1]):
            skip(None, "include fragment, not an article")
            continue
        try:
            data = path.read_bytes()
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            skip(data[: error.start].count(b"\n") + 1, "not valid UTF-8")
            continue
        except OSError as error:
            skip(None, f"cannot read: {error}")
            continue
        try:
            meta, _lines, body = split_front_matter(shown, text)
        except ArticleInvalid as invalid:
            skip(invalid.problem.line, invalid.problem.message)
            continue
        except Exception as error:  # any file content must become a reason, not a crash
            skip(1, f"cannot parse: {type(error).__name__}")
            continue
        if str(meta.get("ms.topic", "")).strip().lower() == "include":
            skip(None, "include fragment, not an article")
            continue
        body = body.strip("\n")
        if not body.strip():
            skip(None, "empty body")
            continue
        raw_title = meta.get("title")
        title = str(raw_title).strip() if isinstance(raw_title, str | int | float) else ""
        title = title or _first_heading(body) or ""
        if not title:
            skip(1, "no title (neither title: in the front matter nor a # heading)")
            continue
        article_lang = lang or _lang_of(meta, title, body)
        if article_lang not in LANGS:
            skip(None, f"language {article_lang!r} is not supported (use --lang)")
            continue

        directories = [slugify(part) for part in relative_parts[:-1]]
        directories = [d for d in directories if d]
        service = slugify(str(meta.get("ms.service") or ""))
        category = service or (directories[0] if directories else "") or "general"
        topic = slugify(str(meta.get("ms.topic") or ""))
        stem = PurePosixPath(path.name).stem
        article_id = slugify(stem)
        if not is_slug(article_id) or not is_slug(category):
            skip(None, f"cannot make a safe id from the file name {path.name!r}")
            continue
        target = f"{category}/{article_id}.{article_lang}.md"
        previous = taken.get((article_id, article_lang))
        if previous is not None or target in taken_paths:
            skip(None, f"id collision: {article_lang}/{article_id} is already {previous or target}")
            continue

        tags: list[str] = []
        for tag in [
            *(d for d in directories[1:] if d != category),
            service if service != category else "",
            topic if topic not in ("", "article", "troubleshooting", "conceptual") else "",
            *_as_list(meta.get("appliesto")),
            *_as_list(meta.get("tags")),
            *_as_list(meta.get("keywords")),
        ]:
            if tag and tag not in tags:
                tags.append(tag)

        updated = next(
            (d for d in (parse_date(meta.get(key)) for key in DATE_KEYS) if d is not None),
            None,
        )
        description = meta.get("description")
        fields: dict[str, Any] = {
            "title": " ".join(title.split()),
            "lang": article_lang,
            "category": category,
        }
        if tags:
            fields["tags"] = tags
        fields["kind"] = KIND_BY_TOPIC.get(topic, "article")
        if isinstance(description, str) and description.strip():
            fields["description"] = " ".join(description.split())
        if updated is not None:
            fields["updated"] = updated
        fields["source"] = shown

        content = _front_matter(fields) + body + "\n"
        try:
            parse_article(target, content.encode("utf-8"))
        except ArticleInvalid as invalid:
            skip(None, f"would not load after import: {invalid.problem.message}")
            continue
        taken[(article_id, article_lang)] = target
        taken_paths.add(target)
        candidates.append(_Candidate(target, content))
    return candidates, skipped


def run_import(
    source: Path, repository: ArticleRepository, lang: str | None = None
) -> tuple[ImportOutcome, str | None]:
    """Plan, write every file, and commit them in one commit; returns the outcome and commit."""
    repository.ensure_git()
    candidates, skipped = plan_import(source, repository, lang)
    written: list[str] = []
    for candidate in candidates:
        repository.write_text(candidate.relative, candidate.text)
        written.append(candidate.relative)
    commit: str | None = None
    if written:
        label = source.resolve().name
        commit = repository.commit(written, f"Import {len(written)} articles from {label}")
    for problem in skipped:
        log.info("import skipped %s", problem)
    return ImportOutcome(tuple(written), tuple(skipped)), commit
