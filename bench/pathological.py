"""Rendering and indexing time for each pathological Markdown shape, per size.

Each shape (tests/support/pathological.py) goes through everything that reads untrusted
Markdown: ``render_markdown`` (articles, previews), ``render_message`` (ticket messages),
``plain_text`` + the analyzer (indexing) and a search snippet. Prints seconds per function,
and whether the renderer fell back to plain text (and why).

    .venv/bin/python bench/pathological.py                  # 20 KB and 1 MB of each shape
    .venv/bin/python bench/pathological.py --sizes 5000 50000 --only bracket-paren
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.kb import rendering  # noqa: E402
from portal.search import analysis  # noqa: E402
from tests.support.pathological import SHAPES  # noqa: E402


def _index(text: str) -> Any:
    return analysis.term_pairs(rendering.plain_text(text))


def _snippet(text: str) -> Any:
    return analysis.snippet(rendering.plain_text(text), frozenset({"x", "a", "item"}))


FUNCTIONS: dict[str, Callable[[str], Any]] = {
    "render": lambda text: rendering.render_markdown(text),
    "message": rendering.render_message,
    "index": _index,
    "snippet": _snippet,
}


def _seconds(function: Callable[[str], Any], text: str) -> float:
    started = time.perf_counter()
    function(text)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 1_000_000])
    parser.add_argument("--only", nargs="+", default=None, help="shape names")
    args = parser.parse_args()
    names = args.only or list(SHAPES)
    print(f"{'shape':22} {'chars':>9} " + " ".join(f"{n:>8}" for n in FUNCTIONS) + "  plain text?")
    worst = 0.0
    for name in names:
        for size in args.sizes:
            text = SHAPES[name](size)
            times = [_seconds(function, text) for function in FUNCTIONS.values()]
            worst = max(worst, *times)
            limited = rendering.render_limit(text) or ""
            figures = " ".join(f"{t:8.3f}" for t in times)
            print(f"{name:22} {len(text):9,} {figures}  {limited}", flush=True)
    print(f"slowest single call: {worst:.3f} s")


if __name__ == "__main__":
    main()
