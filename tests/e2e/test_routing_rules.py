"""Routing rules in Chromium (issue 12): an admin writes a rule on the admin page, a requester
opens a ticket whose subject matches it with other spellings (taa marbuta, hamza, case), the
ticket lands on the rule's team and priority and goes to that team's next agent, and the
history on the agent's page names the rule and what it matched. In Arabic and in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from portal.accounts.teams import create_team
from portal.db import transaction
from tests.e2e.sites import ARTICLES, Site, build_site, signed_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people: dict[str, dict[str, Any]] = {
        "admin": {"email": "huda@example.com", "name": "هدى", "role": "admin"},
        "requester": {"email": "mona@example.com", "name": "منى", "role": "requester"},
        "agent": {
            "email": "sara@example.com",
            "name": "سارة",
            "role": "agent",
            "tier": 1,
            "teams": ("accounts",),
        },
    }
    root = tmp_path_factory.mktemp("routing")
    with build_site(root, ARTICLES, "routing-secret", people, message="kb") as site:
        with transaction(site.app.extensions["sanad"].sessions) as session:
            create_team(
                session,
                site.users["admin"],
                key="accounts",
                name_ar="فريق الحسابات",
                name_en="Accounts team",
            )
        yield site


@dataclass(frozen=True)
class Story:
    """One language's run: the rule as the admin writes it and the ticket that matches it."""

    locale: str
    rule: str
    words: str
    priority: str  # the option's label in that language
    team: str
    subject: str
    body: str
    send: str
    history: tuple[str, ...]


STORIES = {
    "ar": Story(
        "ar",
        rule="كلمات المرور إلى فريق الحسابات",
        # As an admin might type them: haa for taa marbuta, bare alef for hamza on alef.
        words="كلمه المرور, اعاده التعيين",
        priority="عالية",
        team="فريق الحسابات",
        subject="إعادة التعيين لا تعمل: نسيت كلمة المرور",
        body="طلبت الرمز مرتين ولم يصل.",
        send="أرسل إلى فريق الدعم",
        history=(
            "وجّهت القاعدة كلمات المرور إلى فريق الحسابات التذكرة: "
            "طابقت «كلمه المرور» «اعاده التعيين»",
        ),
    ),
    "en": Story(
        "en",
        rule="Locked accounts to the accounts team",
        words="account locked",
        priority="Urgent",
        team="Accounts team",
        subject="My ACCOUNT LOCKED after the holiday",
        body="It says too many attempts.",
        send="Send to the support team",
        history=(
            "The rule Locked accounts to the accounts team routed the ticket: "
            "matched «account locked»",
        ),
    ),
}


def _facts(page: Any) -> dict[str, str]:
    terms = page.locator(".ticket-facts dt").all_inner_texts()
    values = page.locator(".ticket-facts dd").all_inner_texts()
    return {t.strip(): v.strip() for t, v in zip(terms, values, strict=True)}


@pytest.mark.parametrize("locale", ["ar", "en"])
def test_a_rule_written_in_the_browser_routes_a_matching_ticket(
    browser: Any, site: Site, locale: str
) -> None:
    story = STORIES[locale]
    with signed_in(browser, site, locale=locale) as people:
        huda = people["admin"].page
        huda.goto(f"{site.base}/admin/routing/new", wait_until="load")
        huda.locator("#name").fill(story.rule)
        huda.locator("#words").fill(story.words)
        huda.select_option("#set_priority", label=story.priority)
        huda.select_option("#set_team", label=story.team)
        huda.locator("form.account-form button[type=submit]").click()
        huda.wait_for_url(re.compile(r"/admin/routing$"))
        listed = huda.locator(".rule-list").inner_text()
        assert story.rule in listed
        for word in story.words.split(", "):
            assert f"«{word}»" in listed
        assert story.team in listed

        mona = people["requester"].page
        mona.goto(f"{site.base}/tickets/new", wait_until="load")
        mona.locator("#subject").fill(story.subject)
        mona.locator("#body").fill(story.body)
        mona.get_by_role("button", name=story.send).click()
        mona.wait_for_url(re.compile(r"/tickets/HD-\d{6}$"))
        reference = mona.url.rsplit("/", 1)[1]

        sara = people["agent"].page  # of the rule's team: the ticket is in her queue
        sara.goto(f"{site.base}/agent", wait_until="load")
        sara.locator(f'a[href="/agent/tickets/{reference}"]').click()
        sara.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))
        facts = _facts(sara)
        sara.locator("details.history summary").click()
        history = sara.locator("details.history").inner_text()
    team, priority, assignee = (
        ("الفريق", "الأولوية", "المسؤول") if locale == "ar" else ("Team", "Priority", "Assignee")
    )
    assert facts[team] == story.team
    assert facts[priority] == story.priority
    assert facts[assignee] == "سارة"  # the team's next agent (round robin)
    for sentence in story.history:
        assert sentence in " ".join(history.split())
