"""Form fields arrive without NUL characters, on every route at once.

No browser can type a NUL, yet ``a%00b`` in a form reached PostgreSQL, which refuses NUL in
text: every admin, profile and canned-response form answered 500 on PostgreSQL (SQLite
stored the NUL). ``request.form`` is now built without them, so each form shows what was
typed (less an invisible character) and its own validation decides. Query values, JSON
bodies, mail and the CLI are held by ``portal.db.UnstorableText`` (a 400 here) instead.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.formparser import FormDataParser


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
    """Form bodies parse into a :class:`NulFreeMultiDict`. Query values keep their NULs:
    filters clean them, and one that reaches a statement is ``UnstorableText`` (a 400), so
    ``?ticket=%00`` stays "no such ticket" instead of becoming "no ticket given"."""

    def make_form_data_parser(self) -> FormDataParser:
        return self.form_data_parser_class(
            stream_factory=self._get_file_stream,
            max_form_memory_size=self.max_form_memory_size,
            max_content_length=self.max_content_length,
            max_form_parts=self.max_form_parts,
            cls=NulFreeMultiDict,
        )


def init_nul_free(app: Flask) -> None:
    app.request_class = NulFreeRequest
