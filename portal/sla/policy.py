"""Service-level policies: which targets apply to a ticket, and where it stands against them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from portal.sla.calendar import Calendar

TARGETS = ("first_response", "next_response", "resolution")
STATES = ("ok", "warning", "breached", "paused", "met")
# The support policy Sanad serves: an answer within 48 working hours, for every priority.
DEFAULT_FIRST_RESPONSE_MINUTES = 48 * 60
DEFAULT_WARNING_SHARE = 0.75


@dataclass(frozen=True)
class Policy:
    """Targets in working minutes (None: no target). ``priority``/``category``/``team``/
    ``channel`` narrow where it applies; None matches anything."""

    name: str
    first_response_minutes: int | None = DEFAULT_FIRST_RESPONSE_MINUTES
    next_response_minutes: int | None = None
    resolution_minutes: int | None = None
    priority: str | None = None
    category: str | None = None
    team: str | None = None
    channel: str | None = None
    id: int | None = None
    calendar_id: int | None = None

    def matches(self, priority: str, category: str | None, team: str, channel: str) -> bool:
        return (
            (self.priority is None or self.priority == priority)
            and (self.category is None or self.category == category)
            and (self.team is None or self.team == team)
            and (self.channel is None or self.channel == channel)
        )

    @property
    def specificity(self) -> int:
        """More narrowing fields win; priority counts most, then category, team, channel."""
        return (
            (8 if self.priority is not None else 0)
            + (4 if self.category is not None else 0)
            + (2 if self.team is not None else 0)
            + (1 if self.channel is not None else 0)
        )

    def target(self, name: str) -> int | None:
        return {
            "first_response": self.first_response_minutes,
            "next_response": self.next_response_minutes,
            "resolution": self.resolution_minutes,
        }[name]


DEFAULT_POLICY = Policy(name="default")


def choose_policy(
    policies: Iterable[Policy], *, priority: str, category: str | None, team: str, channel: str
) -> Policy:
    """The most specific matching policy (the lowest id among equals); the default otherwise."""
    best: Policy | None = None
    for policy in policies:
        if not policy.matches(priority, category, team, channel):
            continue
        if best is None or (policy.specificity, -(policy.id or 0)) > (
            best.specificity,
            -(best.id or 0),
        ):
            best = policy
    return best or DEFAULT_POLICY


def target_state(
    calendar: Calendar,
    *,
    now: dt.datetime,
    due: dt.datetime | None,
    target_minutes: int | None,
    done_at: dt.datetime | None,
    paused: bool,
    warning_share: float = DEFAULT_WARNING_SHARE,
) -> str | None:
    """ok | warning | breached | paused | met for one target; None without a deadline."""
    if due is None or target_minutes is None:
        return None
    if done_at is not None:
        return "met" if done_at <= due else "breached"
    if now >= due:
        return "breached"
    if paused:
        return "paused"
    left = calendar.working_minutes_between(now, due)
    return "warning" if left <= target_minutes * (1 - warning_share) else "ok"


def overall_state(states: Iterable[str | None]) -> str:
    """The ticket's one word: the worst of its targets' states."""
    order = ("breached", "warning", "paused", "ok", "met")
    found = [s for s in states if s is not None]
    for state in order:
        if state in found:
            return state
    return "ok"
