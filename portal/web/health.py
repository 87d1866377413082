"""Probes for load balancers and orchestrators: ``/healthz`` and ``/readyz`` (docs/api.md).

``/healthz`` says the process answers and touches nothing else, so a stalled database never
gets a healthy worker restarted. ``/readyz`` says whether this worker can serve everything:
the database answers (within SANAD_DATABASE_TIMEOUT, or at once while the worker is leaving a
failed database alone) and the search index opens. Neither needs a log-in, counts against a
rate limit, nor sets a cookie.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify

from portal.db import OUTAGES, check_database
from portal.search.models import IndexUnavailable
from portal.web.context import services
from portal.web.limits import limiter
from portal.web.outage import RETRY_AFTER_SECONDS

log = logging.getLogger(__name__)

_FAILURES: tuple[type[BaseException], ...] = (*OUTAGES, IndexUnavailable, OSError)

bp = Blueprint("health", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """The process answers."""
    return _no_store(jsonify({"status": "ok"}))


def _timed(name: str, check: Callable[[], object]) -> dict[str, Any]:
    """``{"ok": bool, "ms": float}``; why a check failed goes to the log, not to the public
    answer (it may name hosts and paths)."""
    started = time.perf_counter()
    ok = True
    try:
        check()
    except _FAILURES as error:
        log.warning("readiness: %s failed: %s", name, str(error).strip().splitlines()[:1])
        ok = False
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _database() -> None:
    check_database(services().engine)


def _index() -> None:
    services().search.categories(visibility="all")


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    """Ready when the database and the index both answer; 503 with each check otherwise."""
    checks = {"database": _timed("database", _database), "index": _timed("index", _index)}
    ready = all(check["ok"] for check in checks.values())
    response = _no_store(jsonify({"status": "ready" if ready else "not ready", "checks": checks}))
    if not ready:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, 200 if ready else 503
