"""How much work a Markdown text would cost to render, measured in one linear pass.

python-markdown and bleach are not linear on every input: an unmatched ``[`` makes the link
pattern rescan the rest of its paragraph, each heading line of a paragraph makes the block
parser re-test the remaining lines, a second heading with the same text makes the toc
extension count up from 1, and html5lib reconstructs open formatting elements again and
again. A ticket body of 20,000 characters of ``[](`` took 30 s. Rather than patch the
libraries, a text is measured first (this module, pure Python, no Markdown library) and
rendered in full only when every figure is within its limit; otherwise ``portal.kb.rendering``
shows it as escaped plain text, which is linear. The limits are set well above what real
articles need (the 5,472 articles of the two shared corpora are all far inside them) and
low enough that the worst text inside them renders in well under a second.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final

# Longer texts are shown as plain text: bleach alone spends ~50 µs per element.
MAX_RENDER_CHARS: Final = 200_000
# Σ over paragraphs of characters × (lines + inline marks): the quadratic work of the parser.
MAX_BLOCK_COST: Final = 30_000_000
# Inline marks ([ ` < * _ &) and lines in the whole text: a bound on the elements produced.
MAX_MARKS: Final = 10_000
MAX_HEADINGS: Final = 1_000
MAX_SAME_HEADING: Final = 50  # the toc extension numbers duplicates one by one
MAX_NESTING: Final = 16  # quotes and list items opened on one line ("> - > 1. x")
MAX_INDENT: Final = 100  # columns of leading white space: list nesting
MAX_FENCES: Final = 1_000

_MARK_CHARS: Final = "[`<*_&"


@dataclass(frozen=True)
class RenderCost:
    """What the pass found; ``reason`` says which limit a text exceeds (None: render it)."""

    chars: int
    block_cost: int
    marks: int
    headings: int
    quote_depth: int
    indent: int
    fences: int
    reason: str | None


def _indent(line: str) -> int:
    columns = 0
    for char in line:
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4 - columns % 4
        else:
            break
    return columns


def _nesting(stripped: str) -> int:
    """How many quotes and list items the start of a line opens: ``- - - x`` is three
    nested lists, and python-markdown parses each level by recursion."""
    depth = 0
    at = 0
    size = len(stripped)
    while at < size:
        char = stripped[at]
        if char in " \t":
            at += 1
        elif char == ">":
            depth += 1
            at += 1
        elif char in "-*+" and at + 1 < size and stripped[at + 1] in " \t":
            depth += 1
            at += 2
        elif char.isascii() and char.isdigit():
            end = at
            while end < size and end - at < 10 and stripped[end] in "0123456789":
                end += 1
            if end + 1 < size and stripped[end] in ".)" and stripped[end + 1] in " \t":
                depth += 1
                at = end + 2
            else:
                break
        else:
            break
    if at >= size:  # only markers: a rule ("* * * *") or an empty item, not nesting
        return min(depth, 1)
    return depth


def _fence_of(stripped: str) -> str | None:
    for mark in ("```", "~~~"):
        if stripped.startswith(mark):
            return mark[0] * (len(stripped) - len(stripped.lstrip(mark[0])))
    return None


def measure(text: str) -> RenderCost:
    """One pass over ``text``: the figures that bound its rendering work, and the verdict."""
    chars = len(text)
    if chars > MAX_RENDER_CHARS:
        too_long = f"{chars:,} characters (at most {MAX_RENDER_CHARS:,} are rendered)"
        return RenderCost(chars, 0, 0, 0, 0, 0, 0, too_long)
    block_cost = marks = headings = quote_depth = indent = fences = 0
    block_chars = block_lines = block_marks = 0
    same: Counter[str] = Counter()
    fence: str | None = None
    for line in text.split("\n"):
        stripped = line.lstrip(" \t")
        if fence is not None:  # inside fenced code: plain text to the parser
            if stripped.startswith(fence) and not stripped.strip(fence[0]).strip():
                fence = None
            continue
        opened = _fence_of(stripped) if stripped[:1] in ("`", "~") else None
        if opened is not None and len(opened) >= 3:
            fence = opened
            fences += 1
        if not stripped:
            block_cost += block_chars * (block_lines + block_marks)
            block_chars = block_lines = block_marks = 0
            continue
        line_marks = sum(line.count(char) for char in _MARK_CHARS)
        marks += line_marks + 1
        if stripped[0] == "|":  # a table row: the table takes its block at once, cell by cell
            block_cost += len(line) * (1 + line_marks)
            marks += line.count("|")  # each cell is an element for the sanitizer
        else:
            block_chars += len(line) + 1
            block_lines += 1
            block_marks += line_marks
        indent = max(indent, _indent(line))
        if stripped[0] in ">-*+0123456789":
            quote_depth = max(quote_depth, _nesting(stripped))
            stripped = stripped.lstrip("> \t")
        if stripped[:1] == "#":
            headings += 1
            same[stripped.strip("# \t")] += 1
        elif stripped[:1] in ("=", "-") and not stripped.strip(stripped[0] + " \t"):
            headings += 1  # a setext underline (or a rule): the toc may number it too
    block_cost += block_chars * (block_lines + block_marks)
    most_same = max(same.values(), default=0)
    checks = (
        (block_cost > MAX_BLOCK_COST, "paragraphs too long and dense with markup"),
        (marks > MAX_MARKS, f"{marks:,} lines and markup characters (at most {MAX_MARKS:,})"),
        (headings > MAX_HEADINGS, f"{headings:,} headings (at most {MAX_HEADINGS:,})"),
        (
            most_same > MAX_SAME_HEADING,
            f"{most_same:,} headings with the same text (at most {MAX_SAME_HEADING})",
        ),
        (
            quote_depth > MAX_NESTING,
            f"quotes or lists nested {quote_depth:,} deep on one line (at most {MAX_NESTING})",
        ),
        (indent > MAX_INDENT, f"lines indented {indent:,} columns (at most {MAX_INDENT})"),
        (fences > MAX_FENCES, f"{fences:,} code blocks (at most {MAX_FENCES:,})"),
    )
    reason = next((why for failed, why in checks if failed), None)
    return RenderCost(chars, block_cost, marks, headings, quote_depth, indent, fences, reason)


# --- defusing: the few shapes that are quadratic at any size --------------------------------

# Brackets nested deeper than this (and their partners) are escaped: each level rescans the
# text up to its partner. Real links nest at most twice (an image inside a link).
MAX_BRACKET_DEPTH: Final = 3


def defuse(text: str) -> tuple[str, int]:
    """``text`` with the markup that cannot render linearly escaped, code left as it is, and
    the largest paragraph length × escapes added (python-markdown rebuilds the paragraph's
    text once per escape, so that product must stay within MAX_BLOCK_COST too).

    An unmatched ``[`` or backtick run makes python-markdown scan to the end of the
    paragraph, once per occurrence; so does a link's ``(`` without its ``)``, and ``<``
    without ``>`` makes the raw-HTML parser start over. Each of those becomes its escaped
    form, which shows the same character, so the page reads as before.
    """
    if not any(char in text for char in "[`(<"):
        return text, 0
    cost = 0
    out: list[str] = []
    fence: str | None = None
    block: list[str] = []
    for line in text.split("\n"):
        stripped = line.lstrip(" \t")
        if fence is not None:
            out.append(line)
            if stripped.startswith(fence) and not stripped.strip(fence[0]).strip():
                fence = None
            continue
        opened = _fence_of(stripped) if stripped[:1] in ("`", "~") else None
        if (opened is not None and len(opened) >= 3) or not stripped:
            if block:
                cost = max(cost, _add(out, "\n".join(block)))
                block = []
            out.append(line)
            if opened is not None and len(opened) >= 3:
                fence = opened
            continue
        block.append(line)
    if block:
        cost = max(cost, _add(out, "\n".join(block)))
    return "\n".join(out), cost


def _add(out: list[str], block: str) -> int:
    defused, escapes = _defuse_block(block)
    out.append(defused)
    return len(defused) * escapes


def _code_spans(block: str) -> tuple[list[tuple[int, int]], set[int]]:
    """Code spans (start, end) as Markdown pairs backtick runs, and unmatched run starts."""
    runs: list[tuple[int, int]] = []
    at = block.find("`")
    while at >= 0:
        end = at
        while end < len(block) and block[end] == "`":
            end += 1
        if not (at and block[at - 1] == "\\"):
            runs.append((at, end))
        at = block.find("`", end)
    following: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for index in range(len(runs) - 1, -1, -1):
        size = runs[index][1] - runs[index][0]
        following[index] = last.get(size)
        last[size] = index
    spans: list[tuple[int, int]] = []
    unmatched: set[int] = set()
    index = 0
    while index < len(runs):
        partner = following[index]
        if partner is None:
            unmatched.add(runs[index][0])
            index += 1
        else:
            spans.append((runs[index][0], runs[partner][1]))
            index = partner + 1
    return spans, unmatched


def _defuse_block(block: str) -> tuple[str, int]:
    spans, unmatched_ticks = _code_spans(block)
    escape: set[int] = set()
    lt: set[int] = set()
    brackets: list[int] = []
    parens: list[int] = []
    closes: dict[int, int] = {}  # "]" position → its "[" (for "](")
    paren_match: dict[int, int] = {}
    span_index = 0
    position = 0
    size = len(block)
    last_lt = -1
    while position < size:
        if span_index < len(spans) and position == spans[span_index][0]:
            position = spans[span_index][1]
            span_index += 1
            continue
        char = block[position]
        if char == "\\":
            position += 2
            continue
        if char == "`" and position in unmatched_ticks:
            while position < size and block[position] == "`":
                escape.add(position)
                position += 1
            continue
        if char == "[":
            brackets.append(position)
        elif char == "]" and brackets:
            opening = brackets.pop()
            if len(brackets) >= MAX_BRACKET_DEPTH:
                escape.update((opening, position))
            else:
                closes[position] = opening
        elif char == "(":
            parens.append(position)
        elif char == ")" and parens:
            opening = parens.pop()
            if len(parens) >= MAX_BRACKET_DEPTH:
                escape.update((opening, position))
            else:
                paren_match[opening] = position
        elif char == "<":
            if last_lt >= 0:
                lt.add(last_lt)
            last_lt = position
        elif char == ">":
            last_lt = -1
        position += 1
    if last_lt >= 0:
        lt.add(last_lt)
    escape.update(brackets)
    for closing in closes:
        after = closing + 1
        if after < size and block[after] == "(" and after not in paren_match:
            escape.add(after)
    if not escape and not lt:
        return block, 0
    parts: list[str] = []
    cursor = 0
    for at in sorted(escape | lt):
        parts.append(block[cursor:at])
        parts.append("&lt;" if at in lt else "\\" + block[at])
        cursor = at + 1
    parts.append(block[cursor:])
    return "".join(parts), len(escape) + len(lt)
