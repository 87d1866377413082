"""The API's article links are exactly the links Flask's URL map builds, for any id."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from portal.search.models import ArticleEntry
from portal.web.api.views import article_url


@pytest.mark.parametrize("article_id", ["reset-password", "كلمة-المرور", "a.b_c", "x y", "%41"])
def test_article_url_matches_url_for(app: Flask, article_id: str) -> None:
    entry = ArticleEntry(
        id=article_id, lang="ar", title="t", path="p", category="c", kind="article"
    )
    with app.test_request_context("/api/v1/search"):
        assert article_url(entry) == url_for("kb.article", lang="ar", article_id=article_id)
