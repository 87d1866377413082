"""Routing rules: which rule a new ticket matches, and what it sets (pure, no database).

Rules are ordered and the FIRST enabled rule whose conditions all hold wins (first-match): an
admin reads the list top to bottom, as with mail filters, and one ticket is never routed twice.
Words are matched on the same normal forms as search (portal.search.analysis), so a rule for
«كلمة المرور» also fires on «كلمه المرور» or «كلمةُ المرور» (taa marbuta, diacritics, alef and
hamza forms alike); every listed word must occur, in any order.

intake calls route_new_ticket before the service-level policy is chosen, so the priority and
team a rule sets drive the deadlines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.search.analysis import normalize_token, raw_tokens
from portal.tickets.history import record_change
from portal.tickets.models import Ticket
from portal.tickets.routing_models import RoutingRule
from portal.tickets.team_assignment import pick_assignee


@dataclass(frozen=True)
class RuleConditions:
    """Every given condition must hold; an empty condition is not checked."""

    words: tuple[str, ...] = ()
    category: str | None = None
    channel: str | None = None
    requester_domain: str | None = None


@dataclass(frozen=True)
class RuleActions:
    category: str | None = None
    tags: tuple[str, ...] = ()
    priority: str | None = None
    team: str | None = None
    assignee_id: int | None = None


@dataclass(frozen=True)
class Rule:
    id: int
    name: str
    position: int
    conditions: RuleConditions
    actions: RuleActions = field(default_factory=RuleActions)
    enabled: bool = True


@dataclass(frozen=True)
class NewTicketFacts:
    subject: str
    body: str
    category: str | None
    channel: str
    requester_email: str | None


@dataclass(frozen=True)
class RuleMatch:
    """The rule that fired and why: the words matched as the rule spells them."""

    rule: Rule
    matched_words: tuple[str, ...]


def _normal_words(text: str) -> list[str]:
    return [normalize_token(token) for token, _start, _end in raw_tokens(text)]


def _contains_phrase(haystack: list[str], phrase: list[str]) -> bool:
    if not phrase:
        return False
    size = len(phrase)
    return any(haystack[i : i + size] == phrase for i in range(len(haystack) - size + 1))


def _domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.rsplit("@", 1)[1].strip().lower() or None


def matches(rule: Rule, facts: NewTicketFacts) -> RuleMatch | None:
    """The match of one rule on a new ticket's facts, or None."""
    if not rule.enabled:
        return None
    cond = rule.conditions
    if cond.category is not None and cond.category != facts.category:
        return None
    if cond.channel is not None and cond.channel != facts.channel:
        return None
    if cond.requester_domain is not None:
        wanted = cond.requester_domain.strip().lstrip("@").lower()
        if _domain(facts.requester_email) != wanted:
            return None
    if cond.words:
        text = _normal_words(f"{facts.subject}\n{facts.body}")
        for word in cond.words:
            if not _contains_phrase(text, _normal_words(word)):
                return None
    return RuleMatch(rule=rule, matched_words=tuple(cond.words))


def first_match(rules: Sequence[Rule], facts: NewTicketFacts) -> RuleMatch | None:
    """The first enabled rule, by position then id, whose conditions all hold."""
    for rule in sorted(rules, key=lambda r: (r.position, r.id)):
        found = matches(rule, facts)
        if found is not None:
            return found
    return None


# --- rules in the database, applied at intake ---------------------------------------------


def rule_value(row: RoutingRule) -> Rule:
    return Rule(
        id=row.id,
        name=row.name,
        position=row.position,
        enabled=row.enabled,
        conditions=RuleConditions(
            words=tuple(row.words or ()),
            category=row.category,
            channel=row.channel,
            requester_domain=row.requester_domain,
        ),
        actions=RuleActions(
            category=row.set_category,
            tags=tuple(row.set_tags or ()),
            priority=row.set_priority,
            team=row.set_team,
            assignee_id=row.set_assignee_id,
        ),
    )


def load_rules(session: Session) -> list[Rule]:
    rows = session.scalars(select(RoutingRule).where(RoutingRule.enabled.is_(True)))
    return [rule_value(row) for row in rows]


def route_new_ticket(
    session: Session, ticket: Ticket, requester_email: str | None, now: dt.datetime
) -> RuleMatch | None:
    """Apply the first matching rule to a ticket being opened and record it in the history
    (action "routed": note = the rule's name, new = the words it matched, «» separated)."""
    facts = NewTicketFacts(
        subject=ticket.subject,
        body=ticket.body,
        category=ticket.category,
        channel=ticket.channel,
        requester_email=requester_email,
    )
    found = first_match(load_rules(session), facts)
    if found is None:
        return None
    actions = found.rule.actions
    if actions.category:
        ticket.category = actions.category
    if actions.tags:
        ticket.tags = sorted({*(ticket.tags or ()), *actions.tags})
    if actions.priority:
        ticket.priority = actions.priority
    if actions.team:
        ticket.team = actions.team
    if actions.assignee_id is not None:
        ticket.assignee_id = actions.assignee_id
    elif actions.team:
        ticket.assignee_id = pick_assignee(session, actions.team)
    record_change(
        session,
        ticket,
        None,
        "routed",
        now,
        new=" ".join(f"«{w}»" for w in found.matched_words) or None,
        note=found.rule.name,
    )
    return found
