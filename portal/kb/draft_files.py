"""The article file a draft writes: checking an editor's fields, composing front matter and
body, and reading a file back as fields.

Everything here is about text, not git or rows: ``compose`` refuses (``InvalidDraft``) any
input that would not parse back to the same article, so a draft branch never holds a file the
site could not show.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from portal.kb.draft_model import DraftInput, InvalidDraft
from portal.kb.frontmatter import FrontMatterUnwritable, is_slug, parse_article, render_article
from portal.kb.git import is_oid
from portal.kb.models import AUDIENCES, KINDS, LANGS, Article, ArticleInvalid, KbError
from portal.kb.repository import ArticleRepository

MAX_TITLE = 300
MAX_BODY = 500_000


def check_input(data: DraftInput) -> None:
    """Field errors an editor can fix, before any git work."""
    errors: dict[str, str] = {}
    title = data.title.strip() if isinstance(data.title, str) else ""
    if not title:
        errors["title"] = "A title is required."
    elif len(title) > MAX_TITLE or "\n" in title or "\r" in title:
        errors["title"] = f"Use one line of at most {MAX_TITLE} characters."
    if data.lang not in LANGS:
        errors["lang"] = f"Use one of {', '.join(LANGS)}."
    if not isinstance(data.category, str) or not is_slug(data.category):
        errors["category"] = "Use letters, digits and '-' only."
    if data.kind not in KINDS:
        errors["kind"] = f"Use one of {', '.join(KINDS)}."
    if data.audience not in AUDIENCES:
        errors["audience"] = f"Use one of {', '.join(AUDIENCES)}."
    if not isinstance(data.markdown, str) or not data.markdown.strip():
        errors["markdown"] = "The article needs some text."
    elif len(data.markdown) > MAX_BODY or "\0" in data.markdown:
        errors["markdown"] = "The text is too long or contains a NUL character."
    if any(not isinstance(tag, str) or not tag.strip() or "\n" in tag for tag in data.tags):
        errors["tags"] = "Each tag must be a word or phrase on one line."
    if data.translation_of and not is_slug(data.translation_of):
        errors["translation_of"] = "Not a valid article id."
    for key in data.extra:
        if not isinstance(key, str) or key in _MANAGED_KEYS:
            errors["extra"] = f"{key!r} cannot be set as an extra field."
    if errors:
        raise InvalidDraft(errors)


_MANAGED_KEYS = frozenset(
    {"id", "title", "lang", "translation_of", "category", "tags", "kind", "audience", "status",
     "owner", "updated", "review_by", "description"}
)  # fmt: skip


def compose(data: DraftInput, article_id: str, path: str, status: str, now: dt.datetime) -> bytes:
    """The article file for ``data``; InvalidDraft unless it parses back to the same article."""
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    default_id = stem.removesuffix(f".{data.lang}") if stem.endswith(f".{data.lang}") else stem
    meta: dict[str, Any] = {
        "title": data.title.strip(),
        "id": article_id if article_id != default_id else None,
        "lang": data.lang,
        "translation_of": data.translation_of or None,
        "category": data.category,
        "tags": [tag.strip() for tag in data.tags],
        "kind": data.kind,
        "audience": data.audience,
        "status": status,
        "owner": (data.owner or "").strip() or None,
        "updated": now.date(),
        "review_by": data.review_by,
        "description": (data.description or "").strip() or None,
    }
    meta.update({str(key): _plain(value) for key, value in data.extra.items()})
    try:
        text = render_article(meta, data.markdown).encode("utf-8")
    except FrontMatterUnwritable as error:
        raise InvalidDraft({"extra": f"cannot be written as YAML: {error}"}) from None
    try:
        article = parse_article(path, text)
    except ArticleInvalid as invalid:
        raise InvalidDraft({"markdown": invalid.problem.message}) from None
    if article.id != article_id or article.lang != data.lang:
        raise InvalidDraft({"article_id": "The file name and the article id disagree."})
    return text


def _plain(value: Any) -> Any:
    """Mapping proxies and tuples as plain YAML-able dicts and lists."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def input_from_article(article: Article) -> DraftInput:
    """An article's front matter and body as the fields an editor starts from."""
    return DraftInput(
        title=article.title,
        markdown=article.body,
        lang=article.lang,
        category=article.category,
        tags=article.tags,
        kind=article.kind,
        audience=article.audience,
        owner=article.owner,
        review_by=article.review_by,
        translation_of=article.translation_of,
        description=article.description,
        extra=MappingProxyType(dict(article.extra)),
    )


def status_at(repository: ArticleRepository, commit: str, path: str) -> str | None:
    """The ``status`` front-matter field of the file at ``commit`` (None: unreadable)."""
    try:
        raw = repository.read_blob(commit, path) if is_oid(commit) else None
        return parse_article(path, raw).status if raw is not None else None
    except (ArticleInvalid, KbError):
        return None


def one_line(text: str) -> str:
    return re.sub(r"[\r\n<>]+", " ", text).strip()
