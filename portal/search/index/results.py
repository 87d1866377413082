"""What the services pass to the index and get back: a filter, raw hits, raw results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final


@dataclass(frozen=True)
class Filter:
    """Which documents a request may see: visibility plus optional facet restrictions."""

    visibility: str = "public"
    lang: str | None = None
    category: str | None = None
    kind: str | None = None
    tag: str | None = None


@dataclass(frozen=True)
class RawHit:
    fields: Mapping[str, Any]
    score: float


@dataclass(frozen=True)
class RawResults:
    total: int
    hits: tuple[RawHit, ...]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    timed_out: bool = False
    # How many of the matches are strong (not in the weak tail); None = not measured.
    strong: int | None = None
    # The share of the query's positive units that the first hit matches (0 without hits).
    coverage: float = 0.0


EMPTY: Final = RawResults(0, ())
