"""The knowledge managers' two entries in the navigation cannot be confused (issue 10): "Review"
(drafts waiting for a reviewer) and "Needs attention" (articles readers flagged) share no word,
in Arabic as in English."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.support.web import ClientFor, MakeAccount, text_of


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_review_and_needs_attention_share_no_word(
    web: Flask, client_for: ClientFor, make_account: MakeAccount, lang: str
) -> None:
    manager = client_for(make_account("knowledge_manager"))
    manager.set_cookie("sanad_locale", lang)
    page = text_of(manager.get("/"))
    nav = page.split("<nav", 1)[1].split("</nav>", 1)[0]

    def label(path: str) -> str:
        found = re.search(rf'<a href="{path}"[^>]*>([^<]+)</a>', nav)
        assert found is not None, (path, nav)
        return found.group(1).strip()

    review, attention = label("/review/"), label("/attention/")
    assert (review, attention) == (
        ("المراجعة", "تحتاج إلى عناية") if lang == "ar" else ("Review", "Needs attention")
    )
    stems = {w.removeprefix("ال") for w in review.split()}
    assert not stems & {w.removeprefix("ال") for w in attention.split()}
