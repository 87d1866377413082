"""Form fields and query values arrive without NUL characters, on every route at once.

No browser can type a NUL, yet ``a%00b`` in a form reached PostgreSQL, which refuses NUL in
text: every admin, profile and canned-response form answered 500 on PostgreSQL (SQLite
stored the NUL). Werkzeug builds ``request.form`` and ``request.args`` with the request's
``parameter_storage_class``; this one drops the NULs as it is built, so each form shows
what was typed (less an invisible character) and its own validation decides. JSON bodies,
mail and the CLI are held by ``portal.db.UnstorableText`` (a 400 here) instead.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items


def _clean(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeMultiDict(ImmutableMultiDict[str, Any]):
    """An immutable multi-dict whose text keys and values hold no NUL."""

    def __init__(self, mapping: Any = None) -> None:
        if mapping is None:
            super().__init__()
            return
        super().__init__([(_clean(k), _clean(v)) for k, v in iter_multi_items(mapping)])


class NulFreeRequest(Request):
    parameter_storage_class = NulFreeMultiDict


def init_nul_free(app: Flask) -> None:
    app.request_class = NulFreeRequest
