"""Managing routing rules (admins only, checked here): list in order, create, edit, enable,
disable, delete. Every action is validated against the values a ticket may hold: a known
priority and channel, an existing active team, an active agent as assignee."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts.models import Team, User, UserInfo
from portal.tickets.errors import TicketForbidden, ValidationError
from portal.tickets.routing import Rule, rule_value
from portal.tickets.routing_models import RoutingRule
from portal.tickets.states import CHANNELS, PRIORITIES

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_DOMAIN_RE = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}$")


@dataclass(frozen=True)
class RuleInput:
    """What an admin submits for a rule; empty strings mean "not checked" / "not set"."""

    name: str
    words: str = ""
    category: str = ""
    channel: str = ""
    requester_domain: str = ""
    set_category: str = ""
    set_tags: str = ""
    set_priority: str = ""
    set_team: str = ""
    set_assignee_id: int | None = None
    position: int | None = None
    enabled: bool = True


def _require_admin(actor: UserInfo) -> None:
    if not actor.has_role("admin"):
        raise TicketForbidden("only admins manage routing rules")


def _split(text: str, sep: str) -> list[str]:
    return [part for part in (p.strip() for p in text.split(sep)) if part]


def _check(session: Session, data: RuleInput) -> tuple[dict[str, object], list[ValidationError]]:
    errors: list[ValidationError] = []
    name = data.name.strip()[:200]
    if not name:
        errors.append(ValidationError("name", "A rule needs a name."))
    words = _split(data.words, ",")
    for field_name in ("category", "set_category"):
        value = getattr(data, field_name).strip().lower()
        if value and not _KEY_RE.match(value):
            errors.append(ValidationError(field_name, "Use lower-case letters, digits, - or _."))
    if data.channel and data.channel not in CHANNELS:
        errors.append(ValidationError("channel", "Unknown channel."))
    domain = data.requester_domain.strip().lower().lstrip("@")
    if domain and not _DOMAIN_RE.match(domain):
        errors.append(ValidationError("requester_domain", "Write a domain such as example.org."))
    tags = sorted({t.lower()[:40] for t in _split(data.set_tags, ",")})
    if data.set_priority and data.set_priority not in PRIORITIES:
        errors.append(ValidationError("set_priority", "Unknown priority."))
    team = data.set_team.strip().lower()
    if team and session.scalar(select(Team.id).where(Team.key == team, Team.active)) is None:
        errors.append(ValidationError("set_team", "No active team with this key."))
    if data.set_assignee_id is not None:
        agent = session.get(User, data.set_assignee_id)
        if agent is None or not agent.active or not UserInfo.of(agent).is_agent:
            errors.append(ValidationError("set_assignee_id", "Choose an active agent."))
    actions = (data.set_category, tags, data.set_priority, team, data.set_assignee_id)
    if not any(actions):
        errors.append(ValidationError("set_category", "A rule must set at least one thing."))
    values: dict[str, object] = {
        "name": name,
        "words": words,
        "category": data.category.strip().lower() or None,
        "channel": data.channel or None,
        "requester_domain": domain or None,
        "set_category": data.set_category.strip().lower() or None,
        "set_tags": tags,
        "set_priority": data.set_priority or None,
        "set_team": team or None,
        "set_assignee_id": data.set_assignee_id,
        "enabled": data.enabled,
    }
    return values, errors


class RuleErrors(ValidationError):
    """Every problem of a submitted rule at once (``errors``), so a form can mark them all."""

    def __init__(self, errors: list[ValidationError]) -> None:
        first = errors[0]
        super().__init__(first.field, first.message, first.code)
        self.errors = errors


def list_rules(session: Session) -> list[Rule]:
    """All rules, enabled or not, in the order they are tried."""
    rows = session.scalars(select(RoutingRule).order_by(RoutingRule.position, RoutingRule.id))
    return [rule_value(row) for row in rows]


def get_rule(session: Session, rule_id: int) -> Rule:
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise ValidationError("rule", "No such rule.", "not_found")
    return rule_value(row)


def save_rule(
    session: Session, actor: UserInfo, data: RuleInput, rule_id: int | None = None
) -> Rule:
    """Create (``rule_id`` None: placed last unless ``position`` says) or replace a rule."""
    _require_admin(actor)
    values, errors = _check(session, data)
    if errors:
        raise RuleErrors(errors)
    if rule_id is None:
        row = RoutingRule()
        last = session.scalar(select(func.max(RoutingRule.position)))
        row.position = data.position if data.position is not None else (last or 0) + 1
        session.add(row)
    else:
        found = session.get(RoutingRule, rule_id)
        if found is None:
            raise ValidationError("rule", "No such rule.", "not_found")
        row = found
        if data.position is not None:
            row.position = data.position
    for key, value in values.items():
        setattr(row, key, value)
    session.flush()
    return rule_value(row)


def set_enabled(session: Session, actor: UserInfo, rule_id: int, enabled: bool) -> Rule:
    _require_admin(actor)
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise ValidationError("rule", "No such rule.", "not_found")
    row.enabled = enabled
    session.flush()
    return rule_value(row)


def delete_rule(session: Session, actor: UserInfo, rule_id: int) -> None:
    _require_admin(actor)
    row = session.get(RoutingRule, rule_id)
    if row is None:
        raise ValidationError("rule", "No such rule.", "not_found")
    session.delete(row)
    session.flush()
