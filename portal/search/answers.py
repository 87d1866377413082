"""The answer cache: whole answers (searches, suggestions, related lists) kept per worker.

Keys carry the index token, so an answer computed before the index changed is never served
after; the cache is also emptied after every rebuild or sync in this process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class AnswerCache:
    """A thread-safe least-recently-used map of ``size`` answers."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The answer kept for ``key``, else ``compute()`` kept for next time."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                found: T = self._answers[key]
                return found
        value = compute()
        with self._lock:
            self._answers[key] = value
            if len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
