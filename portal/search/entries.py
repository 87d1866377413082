"""Articles in and out of the index: the document stored for an article, and the
``ArticleEntry`` callers get back from stored fields (the one place fields become entries)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from portal.kb.models import Article
from portal.kb.rendering import plain_text
from portal.search import analysis
from portal.search.models import ArticleEntry, Visibility


def document(article: Article) -> dict[str, Any]:
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


def entry(fields: Mapping[str, Any]) -> ArticleEntry:
    """The entry of a document's stored fields."""
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


def visible(fields: Mapping[str, Any], visibility: Visibility) -> bool:
    """Whether a reader with ``visibility`` may see the document (as ``Filter`` decides)."""
    if visibility == "all":
        return True
    if fields.get("status") != "published":
        return False
    return visibility == "internal" or fields.get("audience") == "public"
