"""The naive HTTP baseline of ``bench/search.py``: plain Whoosh behind plain Flask.

What the issue measured as "a naive Whoosh set-up": the index ``bench_naive`` builds
(``StandardAnalyzer``, one field), Whoosh's ``QueryParser`` with an OR group, one warm
searcher per worker, the top 10 as JSON. ``/page`` is a plain Flask template page, the
server's own ceiling on this machine. Served by gunicorn with sync workers, like Sanad:

    NAIVE_INDEX=DIR gunicorn -w 2 -k sync --chdir bench 'naive_app:create_app()'
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, jsonify, request
from whoosh import index
from whoosh.qparser import OrGroup, QueryParser

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</main></body></html>"""


def create_app() -> Flask:
    ix = index.open_dir(os.environ["NAIVE_INDEX"])
    parser = QueryParser("content", ix.schema, group=OrGroup)
    app = Flask(__name__)
    template = app.jinja_env.from_string(PAGE)  # compiled once, as render_template caches it
    warm: dict[str, Any] = {}

    @app.get("/search")
    def search() -> Response:
        searcher = warm.get("searcher")
        if searcher is None:
            searcher = warm["searcher"] = ix.searcher()
        results = searcher.search(parser.parse(request.args.get("q", "")), limit=10)
        return jsonify({"hits": [{"id": hit["id"], "score": hit.score} for hit in results]})

    @app.get("/page")
    def page() -> str:
        return template.render(title="Help", items=["Passwords", "VPN", "Wi-Fi"])

    return app
