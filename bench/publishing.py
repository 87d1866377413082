"""What the golden queries cost a publish: one run of ``articles/_golden.yml`` on a cold
service, and the "before" check of a publish when the last run was on the same generation
(what ``publishing.publish_draft`` pays now; it used to pay a full run before and after).

    .venv/bin/python bench/publishing.py [--rounds 5]

Runs on a temporary copy of the repository's ``articles/`` (its own git repository).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.config import load_settings
from portal.kb.repository import ArticleRepository
from portal.search.services import SearchService

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        articles = work / "articles"
        shutil.copytree(ROOT / "articles", articles)
        for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "bench")):
            subprocess.run(
                ["git", "-c", "user.name=bench", "-c", "user.email=b@b", *args],
                cwd=articles,
                check=True,
            )
        settings = load_settings(
            {
                "articles_dir": articles,
                "index_dir": work / "index",
                "instance_dir": work / "instance",
                "secret_key": "bench",
            }
        )
        service = SearchService(settings, ArticleRepository(articles))
        service.rebuild()
        full: list[float] = []
        cached: list[float] = []
        count = 0
        for _ in range(rounds):
            service.clear_answers()
            service._golden_cache = None  # a cold run, as after another worker's change
            started = time.perf_counter()
            count = len(service.check_golden())
            full.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            service.check_golden()
            cached.append((time.perf_counter() - started) * 1000)
        print(f"golden queries: {count}")
        print(f"  full run (after the publish)      median {statistics.median(full):8.1f} ms")
        print(f"  before check, same generation     median {statistics.median(cached):8.2f} ms")
        print(
            f"  per publish: before {2 * statistics.median(full):.0f} ms of golden queries,"
            f" now {statistics.median(full) + statistics.median(cached):.0f} ms"
        )
        service.close()


if __name__ == "__main__":
    main()
