"""Routing rules match words with search's Arabic normalisation; the first matching rule wins."""

from __future__ import annotations

import pytest

from portal.tickets.routing import (
    NewTicketFacts,
    Rule,
    RuleActions,
    RuleConditions,
    first_match,
)


def _facts(
    subject: str,
    body: str = "",
    *,
    category: str | None = None,
    channel: str = "web",
    requester_email: str | None = None,
) -> NewTicketFacts:
    return NewTicketFacts(subject, body, category, channel, requester_email)


PASSWORD = Rule(
    id=1,
    name="passwords",
    position=1,
    conditions=RuleConditions(words=("كلمة المرور",)),
    actions=RuleActions(team="accounts", priority="high"),
)


@pytest.mark.parametrize(
    "subject",
    [
        "نسيت كلمه المرور",  # taa marbuta written as heh
        "نسيت كَلِمَةُ المُرور",  # diacritics
        "نسيت كلمة ألمرور",  # hamza on alef
        "نسيت كلمة إلمرور",  # hamza under alef
        "نسيت كلمـــة المرور",  # tatweel
    ],
)
def test_word_rule_fires_on_spelling_variants(subject: str) -> None:
    found = first_match([PASSWORD], _facts(subject))
    assert found is not None
    assert found.rule.actions.team == "accounts"
    assert found.matched_words == ("كلمة المرور",)


def test_word_rule_needs_the_whole_phrase() -> None:
    assert first_match([PASSWORD], _facts("المرور مزدحم", "كلمة شكر")) is None


def test_first_enabled_rule_by_position_wins() -> None:
    disabled = Rule(
        id=3,
        name="off",
        position=0,
        conditions=RuleConditions(words=("المرور",)),
        enabled=False,
    )
    later = Rule(id=2, name="later", position=5, conditions=RuleConditions(words=("المرور",)))
    found = first_match([later, disabled, PASSWORD], _facts("", "نسيت كلمة المرور"))
    assert found is not None
    assert found.rule.name == "passwords"


def test_domain_channel_and_category_conditions() -> None:
    rule = Rule(
        id=4,
        name="vip",
        position=1,
        conditions=RuleConditions(requester_domain="@Example.sa", channel="email", category="vpn"),
    )
    facts = _facts("x", category="vpn", channel="email", requester_email="a@example.SA")
    assert first_match([rule], facts) is not None
    assert first_match([rule], _facts("x", category="vpn", channel="web")) is None
    other = _facts("x", category="vpn", channel="email", requester_email="a@other.sa")
    assert first_match([rule], other) is None
