"""Static files with cache-busting URLs (``?v=<content hash>``), cached by browsers for a year."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, url_for

ONE_YEAR = 365 * 24 * 3600


class StaticVersions:
    """Content hash of each static file, recomputed only when its modification time changes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, tuple[float, str]] = {}

    def version(self, filename: str) -> str:
        path = self.root / filename
        try:
            mtime = path.stat().st_mtime
        except OSError:
            return "missing"
        cached = self._cache.get(filename)
        if cached and cached[0] == mtime:
            return cached[1]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self._cache[filename] = (mtime, digest)
        return digest


def init_assets(app: Flask, static_dir: Path) -> None:
    versions = StaticVersions(static_dir)

    def static_url(filename: str) -> str:
        """URL of a static file that changes whenever the file's content does."""
        return url_for("static", filename=filename, v=versions.version(filename))

    app.add_template_global(static_url)
    # Every template links static files through static_url, so a long lifetime is safe.
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ONE_YEAR
