"""Which page links a paginated list shows."""

from __future__ import annotations

PAGE_WINDOW = 2  # page links shown either side of the current page


def page_numbers(current: int, last: int) -> list[int | None]:
    """First, last and a window around the current page, in order; None marks a gap."""
    window = range(max(1, current - PAGE_WINDOW), min(last, current + PAGE_WINDOW) + 1)
    numbers: list[int | None] = []
    for number in sorted({1, last, *window}):
        if numbers and number - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers
