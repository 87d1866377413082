"""The compiled message catalogs the web tests need (.mo files are never committed)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from filelock import FileLock

from tests.support.articles import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"


def compile_catalogs() -> None:
    """Compile the .po catalogs once (the install step does this; .mo files are not committed).

    Several xdist workers may get here at once: a lock makes one compile while the others wait.
    """
    lock = FileLock(str(Path(tempfile.gettempdir()) / "sanad-catalogs.lock"))
    with lock:
        sources = list(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
        stale = [
            po
            for po in sources
            if not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        ]
        if stale:
            pybabel = Path(sys.executable).parent / "pybabel"
            subprocess.run(
                [str(pybabel), "-q", "compile", "-d", str(TRANSLATIONS)],
                check=True,
                capture_output=True,
            )
