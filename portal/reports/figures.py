"""Pure arithmetic of the reports: medians, percentiles, rates, ageing buckets.

No database: each function takes numbers and gives numbers, so the definitions written beside
each figure are checked by plain unit tests.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

# Ageing of open tickets, in calendar days since they were opened: [low, high).
AGE_BUCKETS: tuple[tuple[str, float, float], ...] = (
    ("0-1d", 0, 1),
    ("1-3d", 1, 3),
    ("3-7d", 3, 7),
    ("7-30d", 7, 30),
    ("30d+", 30, math.inf),
)


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle values for an even count); None if empty."""
    return round(statistics.median(values), 2) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return round(ordered[rank - 1], 2)


def rate(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage with one decimal; None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def age_bucket(days: float) -> str:
    for name, low, high in AGE_BUCKETS:
        if low <= days < high:
            return name
    return AGE_BUCKETS[0][0]  # a clock slightly behind: counted as new


def trend(first_half: int, second_half: int) -> str:
    """``up`` / ``down`` / ``flat``: the later half of the range against the earlier."""
    if second_half > first_half:
        return "up"
    if second_half < first_half:
        return "down"
    return "flat"
