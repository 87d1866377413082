"""Markdown shapes that made rendering or indexing super-linear, at any size.

Shared by tests/kb/test_pathological.py (a megabyte of each within a second) and
bench/pathological.py (timings per shape and size).
"""

from __future__ import annotations

from collections.abc import Callable


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda size: unit * max(1, size // len(unit))


def _lines(make: Callable[[int], str]) -> Callable[[int], str]:
    """Numbered lines until ``size`` characters."""

    def build(size: int) -> str:
        out: list[str] = []
        total = 0
        index = 0
        while total < size:
            line = make(index)
            out.append(line)
            total += len(line)
            index += 1
        return "".join(out)

    return build


SHAPES: dict[str, Callable[[int], str]] = {
    # The ticket of issue 15: 20,000 characters of "[" then "](" took 30 s.
    "bracket-paren": _repeat("[]("),
    "open-brackets": _repeat("["),
    "open-brackets-lines": _repeat("[\n"),
    "image-openers": _repeat("!["),
    "reference-openers": _repeat("![a]["),
    "nested-brackets": lambda size: "[" * (size // 2) + "]" * (size // 2),
    "nested-parens": lambda size: "[a](" + "(" * (size // 2) + ")" * (size // 2),
    "link-title-openers": _repeat('[a](b "'),
    "deep-list": _lines(lambda i: " " * (2 * (i % 400)) + "- item\n"),
    "deep-quote": lambda size: ">" * size + " x\n",
    "nested-quote-lines": _lines(lambda i: "> " * (i % 200) + "x\n"),
    "emphasis-stars": _repeat("*"),
    "emphasis-mixed": _repeat("*a_"),
    "emphasis-triple": _repeat("***a"),
    "underscores": _repeat("_a"),
    "backtick-openers": _repeat("`a"),
    "backtick-runs": _lines(lambda i: "`" * (1 + i % 50) + "x"),
    "huge-table": lambda size: "|a|b|\n|-|-|\n" + "|x|y|\n" * (size // 6),
    "wide-table": lambda size: "|" + "a|" * (size // 4) + "\n|" + "-|" * (size // 4) + "\n",
    "many-link-refs": _lines(lambda i: f"[r{i}]: http://example.com/{i}\n[r{i}] "),
    "same-headings": _repeat("# x\n"),
    "many-headings": _lines(lambda i: f"# heading {i}\n"),
    "html-openers": _repeat("<a"),
    "lt-runs": _repeat("<"),
    "html-closers": _repeat("</"),
    "comment-openers": _repeat("<!--"),
    "script-openers": _repeat("<script"),
    "autolink-openers": _repeat("<http://"),
    "nested-tags": _repeat("<b><i>"),
    "entity-openers": _repeat("&#"),
    "ampersands": _repeat("&"),
    "fences": _repeat("```\n"),
    "spaces": lambda size: " " * size + "x",
    "dash-space-line": lambda size: "- " * (size // 2) + "x",
    "include-openers": _repeat("[!INCLUDE"),
    "mixed-article": _lines(
        lambda i: (
            f"## Section {i}\n\nSome *text* with [a link](http://x/{i}) and `code`.\n\n"
            "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        )
    ),
}
