"""The state machine's rules, without a database."""

from __future__ import annotations

import pytest

from portal.tickets.states import PRIORITIES, STATUSES, TRANSITIONS, can_transition, urgency_rank


def test_every_status_has_rules_and_closed_is_final() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert TRANSITIONS["closed"] == frozenset()
    assert all(target in STATUSES for targets in TRANSITIONS.values() for target in targets)


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        ("new", "open", True),
        ("open", "pending", True),
        ("pending", "open", True),
        ("on_hold", "resolved", True),
        ("resolved", "open", True),
        ("resolved", "closed", True),
        ("new", "closed", False),
        ("open", "closed", False),
        ("closed", "open", False),
        ("open", "new", False),
        ("open", "open", False),
    ],
)
def test_transitions(current: str, wanted: str, allowed: bool) -> None:
    assert can_transition(current, wanted) is allowed


def test_urgent_sorts_first() -> None:
    assert sorted(PRIORITIES, key=urgency_rank) == ["urgent", "high", "normal", "low"]
