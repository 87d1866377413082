"""``articles/_synonyms.yml``: the synonym groups, reloaded when the file changes (no reindex)."""

from __future__ import annotations

import logging
import threading
from typing import Final

from portal.kb.models import KbError
from portal.kb.repository import ArticleRepository
from portal.search.analysis import Synonyms

log = logging.getLogger("portal.search")

SYNONYMS_FILE: Final = "_synonyms.yml"


class SynonymsFile:
    """The current synonyms and a version number that changes whenever they do."""

    def __init__(self, repository: ArticleRepository) -> None:
        self.repository = repository
        self._synonyms = Synonyms()
        self._stamp: tuple[int, int] | None = None
        self._version = 0
        self._lock = threading.Lock()

    def current(self) -> tuple[Synonyms, int]:
        """The synonyms as the file says now, and their version (for cache keys)."""
        try:
            stat = (self.repository.root / SYNONYMS_FILE).stat()
            stamp: tuple[int, int] | None = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp:
                self._synonyms = load_synonyms(self.repository)
                self._stamp = stamp
                self._version += 1
            return self._synonyms, self._version


def load_synonyms(repository: ArticleRepository) -> Synonyms:
    """The groups of the file; an unreadable file or a wrong shape gives no synonyms."""
    try:
        data = repository.read_data(SYNONYMS_FILE)
    except KbError as error:
        log.error("ignoring %s: %s", SYNONYMS_FILE, error)
        return Synonyms()
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list):
        return Synonyms()
    return Synonyms(
        [str(word) for word in group if word is not None]
        for group in groups
        if isinstance(group, list)
    )
