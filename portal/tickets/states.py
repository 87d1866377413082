"""The ticket state machine: pure rules, no database.

new ──► open ◄──► pending
 │       ▲ ▲        │
 │       │ └─► on_hold
 ▼       │          │
resolved ◄──────────┘ (from new, open, pending, on_hold)
 │   └──► open   (reopen: the requester within the window, staff at any time)
 ▼
closed           (the requester confirms, or the window passes; final)
"""

from __future__ import annotations

STATUSES = ("new", "open", "pending", "on_hold", "resolved", "closed")
ACTIVE_STATUSES = ("new", "open", "pending", "on_hold")
PRIORITIES = ("low", "normal", "high", "urgent")
# Who is affected, as the requester states it; the priority follows from it (``IMPACT_PRIORITY``)
# until an agent changes it. Requesters never set the priority themselves.
IMPACTS = ("me", "team", "everyone")
IMPACT_PRIORITY = {"me": "normal", "team": "high", "everyone": "high"}
CHANNELS = ("web", "email", "phone", "chat", "walk_in", "remote")
# Channels an agent records when opening a ticket for someone who contacted them directly.
ON_BEHALF_CHANNELS = ("phone", "walk_in", "chat", "remote", "email")
TIERS = (1, 2, 3)

TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"open", "pending", "on_hold", "resolved"}),
    "open": frozenset({"pending", "on_hold", "resolved"}),
    "pending": frozenset({"open", "on_hold", "resolved"}),
    "on_hold": frozenset({"open", "pending", "resolved"}),
    "resolved": frozenset({"open", "closed"}),
    "closed": frozenset(),
}


def can_transition(current: str, wanted: str) -> bool:
    """True when ``current`` may become ``wanted`` (staying put is not a transition)."""
    return wanted in TRANSITIONS.get(current, frozenset())


def urgency_rank(priority: str) -> int:
    """0 for urgent … 3 for low: queues sort by this, then by age."""
    return len(PRIORITIES) - 1 - PRIORITIES.index(priority)
