"""Answers that take the same time whoever asks: registration and password reset.

Whether an address has an account must not show in the answer, nor in how long it takes.
The text is the same (the views), the mail goes through the outbox after the request (the
service), and what is left (a password hash for a new account, a token row for a known one,
a busy machine) is covered by padding every POST of these forms to ``MINIMUM_SECONDS``
measured from the start of the request. The padding is a floor, not a fixed delay: an answer
that took longer is not slowed further, so a slow machine never doubles its time.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Blueprint, g, request

# Long enough to cover the work that differs between known and unknown addresses on a busy
# machine (a cheap hash, a row written), short enough that nobody waits for it.
MINIMUM_SECONDS = 0.15

P = ParamSpec("P")
R = TypeVar("R")


def note_request_start(bp: Blueprint) -> None:
    """Record when each request of ``bp`` started (before CSRF, forms and the database)."""

    @bp.before_request
    def _started() -> None:
        g.paced_since = time.perf_counter()


def paced(view: Callable[P, R]) -> Callable[P, R]:
    """A view whose POST answers no sooner than ``MINIMUM_SECONDS`` after the request began."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        started = float(g.get("paced_since", time.perf_counter()))
        try:
            return view(*args, **kwargs)
        finally:
            if request.method == "POST":
                remaining = MINIMUM_SECONDS - (time.perf_counter() - started)
                if remaining > 0:
                    time.sleep(remaining)

    return wrapper
