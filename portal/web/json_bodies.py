"""JSON request bodies and integer URL parts, read within bounds for every route at once.

``json.loads`` recurses once per nesting level: 5,000 levels raised RecursionError, which no
route expected (a 500). Every JSON body is now parsed by :class:`BoundedJSONProvider`, which
refuses more than ``MAX_JSON_DEPTH`` levels with :class:`JSONTooDeep` (a 400 with a JSON
error, ``portal.web.errors``). The ``int`` URL converter is replaced by one that stops at the
database's integer range, so ``/…/attachments/99999999999999999999`` is a 404 like any id
that names no row.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, ValidationError

from portal.web.params import DB_ID_MAX, db_id

# Far more than any API body needs (they are one or two levels deep), far less than the
# interpreter's recursion limit.
MAX_JSON_DEPTH = 64


class JSONTooDeep(Exception):
    """A JSON body nested deeper than MAX_JSON_DEPTH; not a ValueError, so
    ``get_json(silent=True)`` does not turn it into "no body"."""


def json_depth(value: Any, limit: int) -> int:
    """How deep ``value`` nests, counting up to ``limit + 1`` at most (no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with a nesting limit on what it reads (and Arabic kept readable)."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise JSONTooDeep(MAX_JSON_DEPTH) from None
        if json_depth(value, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise JSONTooDeep(MAX_JSON_DEPTH)
        return value


class DbIdConverter(IntegerConverter):
    """``<int:…>`` that matches only numbers a database row id can be (else: 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_ID_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        number = db_id(value)  # the one rule for ids from URLs and JSON bodies
        if number is None:
            raise ValidationError()
        return number


def init_json_bodies(app: Flask) -> None:
    """Before any blueprint registers: every route's ``int`` and every JSON body are bounded."""
    app.url_map.converters["int"] = DbIdConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(_read_json_body)


def _read_json_body() -> None:
    """Parse every JSON body before any view (and its permission check) runs: a body too
    deep is refused the same way on every route, whether or not the view reads it. The
    result is cached on the request, so views do not parse it twice."""
    if request.is_json and request.content_length != 0:
        request.get_json(silent=True)
