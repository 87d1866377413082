"""Server-drawn charts: the geometry of horizontal bar charts and line charts, mirrored for
right-to-left pages, for ``templates/reports/_chart.html`` to draw as SVG (no JavaScript).

Every bar and point carries its label and value as text, and bars are hatched as well as
tinted, so a chart reads without colour; the same numbers are in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600
ROW = 30
BAR = 18
LABEL_SHARE = 0.38
VALUE_ROOM = 64
LINE_HEIGHT = 200
PAD = 36
MAX_LABEL = 28
MAX_BARS = 15


def short(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    x: float
    y: float
    width: float
    label_x: float
    label_anchor: str
    value_x: float
    value_anchor: str
    text_y: float


@dataclass(frozen=True)
class BarChart:
    kind: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    axis_x: float


@dataclass(frozen=True)
class Point:
    label: str
    shown: str
    x: float
    y: float


@dataclass(frozen=True)
class LineChart:
    kind: str
    width: int
    height: int
    points: tuple[Point, ...]
    path: str
    top: float
    bottom: float
    top_label: str
    start_x: float
    end_x: float
    start_anchor: str
    end_anchor: str


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def bar_chart(items: Sequence[tuple[str, object, str]], *, rtl: bool) -> BarChart | None:
    """Bars for (label, value, shown text); None when no value is a number (nothing to draw).
    Left to right, labels sit left of the axis and bars grow right; mirrored for RTL."""
    rows = [(label, _number(value), shown) for label, value, shown in items[:MAX_BARS]]
    numbers = [v for _l, v, _s in rows if v is not None]
    if not numbers:
        return None
    top = max(max(numbers), 1.0)
    label_w = WIDTH * LABEL_SHARE
    room = WIDTH - label_w - VALUE_ROOM
    axis = WIDTH - label_w if rtl else label_w
    bars: list[Bar] = []
    for i, (label, value, shown) in enumerate(rows):
        length = room * (value or 0) / top
        y = i * ROW + (ROW - BAR) / 2
        bars.append(
            Bar(
                label=short(label),
                shown=shown,
                x=axis - length if rtl else axis,
                y=y,
                width=length,
                label_x=axis + 8 if rtl else axis - 8,
                label_anchor="start" if rtl else "end",
                value_x=axis - length - 6 if rtl else axis + length + 6,
                value_anchor="end" if rtl else "start",
                text_y=y + BAR / 2 + 5,
            )
        )
    return BarChart("bars", WIDTH, len(rows) * ROW, tuple(bars), axis)


def line_chart(items: Sequence[tuple[str, object, str]], *, rtl: bool) -> LineChart | None:
    """A line over time, earliest first in reading order (so from the right in RTL)."""
    rows = [(label, _number(value) or 0.0, shown) for label, value, shown in items]
    if not rows:
        return None
    top = max(max(v for _l, v, _s in rows), 1.0)
    inner_w = WIDTH - 2 * PAD
    inner_h = LINE_HEIGHT - 2 * PAD
    step = inner_w / max(len(rows) - 1, 1)
    points: list[Point] = []
    for i, (label, value, shown) in enumerate(rows):
        offset = i * step if len(rows) > 1 else inner_w / 2
        x = WIDTH - PAD - offset if rtl else PAD + offset
        y = LINE_HEIGHT - PAD - inner_h * value / top
        points.append(Point(label=label, shown=shown, x=round(x, 1), y=round(y, 1)))
    path = " ".join(f"{p.x},{p.y}" for p in points)
    return LineChart(
        kind="line",
        width=WIDTH,
        height=LINE_HEIGHT,
        points=tuple(points),
        path=path,
        top=PAD,
        bottom=LINE_HEIGHT - PAD,
        top_label=f"{top:g}",
        start_x=points[0].x,
        end_x=points[-1].x,
        start_anchor="end" if rtl else "start",
        end_anchor="start" if rtl else "end",
    )
