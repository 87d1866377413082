"""The agent's working page in Chromium, both languages (issue 10): the conversation in the
middle with one compact action bar (one form at a time), the details in a side panel, who
speaks at a glance, articles linked by searching their titles as one types, and a phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest

from portal.db import transaction
from portal.tickets.conversation import add_reply
from portal.tickets.intake import open_ticket
from portal.tickets.values import TicketDraft
from tests.e2e.sites import ARTICLES, Site, build_site, signed_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WORDS = {
    "en": {"requester": "Requester", "agent": "Support team", "note": "Internal note",
           "system": "System", "linked": "The article was linked."},
    "ar": {"requester": "صاحب الطلب", "agent": "فريق الدعم", "note": "ملاحظة داخلية",
           "system": "النظام", "linked": "رُبطت المقالة."},
}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    people: dict[str, dict[str, Any]] = {
        "requester": {"email": "rana@example.com", "name": "Rana", "role": "requester"},
        "agent": {
            "email": "adel@example.com",
            "name": "Adel",
            "role": "agent",
            "tier": 1,
            "teams": ("support",),
        },
    }
    root = tmp_path_factory.mktemp("workspace")
    with build_site(root, ARTICLES, "workspace-secret", people, message="kb") as site:
        yield site


def new_ticket(site: Site, lang: str) -> str:
    wired = site.app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    with transaction(wired.sessions) as session:
        result = open_ticket(
            session,
            wired.settings.tickets,
            requester=site.users["requester"],
            draft=TicketDraft(
                subject=f"The code never arrives ({lang})",
                body="I asked for the sign-in code three times since the morning.",
                lang=lang,
            ),
            now=now,
        )
        reference = str(result.ticket.reference)
        add_reply(
            session,
            wired.settings.tickets,
            site.users["agent"],
            reference,
            body="Please check that your number is up to date.",
            now=now + dt.timedelta(seconds=1),
        )
    return reference


def visible_panels(page: Any) -> list[str]:
    return list(page.eval_on_selector_all(
        "[data-action-panel]", "els => els.filter(e => !e.hidden).map(e => e.id)"
    ))  # fmt: skip


@pytest.mark.parametrize("locale", ["en", "ar"])
def test_conversation_in_the_middle_one_action_at_a_time_titles_as_you_type(
    browser: Any, site: Site, locale: str
) -> None:
    reference = new_ticket(site, locale)
    words = WORDS[locale]
    with signed_in(browser, site, locale=locale) as people:
        adel = people["agent"].page
        adel.goto(f"{site.base}/agent/tickets/{reference}", wait_until="load")
        # One compact bar, one form at a time: the reply is open, the rest folded away.
        bar = adel.locator("[data-action-bar]")
        assert bar.is_visible()
        assert bar.locator("button").count() == 6  # reply, note, status, assign, escalate, resolve
        assert visible_panels(adel) == ["act-reply"]
        height = adel.evaluate("document.documentElement.scrollHeight")
        assert height < 2000, f"the working page is {height} px tall"
        escalate = bar.locator("[aria-controls=act-escalate]")
        escalate.click()
        assert visible_panels(adel) == ["act-escalate"]
        assert escalate.get_attribute("aria-expanded") == "true"
        assert adel.evaluate("document.activeElement.id") == "escalate-reason"

        # A note: the bar's "note" shows only the internal-note button.
        bar.locator("[data-mode=note]").click()
        assert adel.locator('#act-reply button[value="0"]').is_hidden()
        adel.locator("#reply-body").fill("Checked the SMS gateway: no errors.")
        adel.locator('#act-reply button[value="1"]').click()
        adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))

        # Who speaks, at a glance, in words.
        timeline = adel.locator(".conversation .timeline")
        first = timeline.locator(".message-requester").first
        assert words["requester"] in first.locator(".speaker").inner_text()
        assert words["agent"] in timeline.locator(".message-agent .speaker").first.inner_text()
        assert words["note"] in timeline.locator(".message-note .speaker").first.inner_text()
        assert "Checked the SMS gateway" in timeline.locator(".message-note").inner_text()

        # Link an article by words of its title, chosen from the list; never its id.
        field = adel.locator("#link-article")
        field.press_sequentially("VPN", delay=40)
        option = adel.locator("#link-article-results [role=option]").first
        option.wait_for(state="visible")
        assert "VPN" in option.inner_text()
        field.press("ArrowDown")
        field.press("Enter")
        assert adel.locator(".agent-side .chosen-article input").get_attribute("value") == (
            "vpn-connect"
        )
        adel.locator('form[action$="/link"] button[type=submit]').click()
        adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))
        assert words["linked"] in adel.locator(".flash-success").inner_text()
        assert "VPN" in adel.locator("section[aria-labelledby=linked-title]").inner_text()
        # What happened to the ticket is in the conversation, as a system line.
        system = timeline.locator(".timeline-event")
        assert system.count() >= 1
        assert words["system"] in system.last.locator(".speaker").inner_text()

        # The details sit beside the conversation on a wide screen...
        main = adel.locator(".agent-main").bounding_box()
        side = adel.locator(".agent-side").bounding_box()
        assert main is not None
        assert side is not None
        assert abs(main["y"] - side["y"]) < 40
        # ...and below it on a phone, with nothing wider than the screen.
        adel.set_viewport_size(PHONE)
        adel.reload(wait_until="load")
        widths = adel.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"horizontal scroll at 390 px: {widths}"
        side = adel.locator(".agent-side").bounding_box()
        main = adel.locator(".agent-main").bounding_box()
        assert side is not None
        assert main is not None
        assert side["y"] > main["y"]


def test_a_refused_note_reopens_as_a_note_never_behind_the_reply_button(
    browser: Any, site: Site
) -> None:
    reference = new_ticket(site, "ar")
    with signed_in(browser, site, locale="ar") as people:
        adel = people["agent"].page
        adel.goto(f"{site.base}/agent/tickets/{reference}", wait_until="load")
        adel.locator("[data-action-bar] [data-mode=note]").click()
        adel.locator("#reply-body").fill("العميل من كبار الشخصيات، لا تخبره.")
        adel.locator("#reply-file").set_input_files(
            {"name": "فارغ.png", "mimeType": "image/png", "buffer": b""}
        )  # an empty file is refused
        adel.locator('#act-reply button[value="1"]').click()
        adel.wait_for_url(re.compile(rf"/agent/tickets/{reference}$"))
        assert adel.locator(".flash-error").count() >= 1
        assert "لا تخبره" in adel.locator("#reply-body").input_value()
        note = adel.locator("[data-action-bar] [data-mode=note]")
        assert note.get_attribute("aria-expanded") == "true"
        assert adel.locator('#act-reply button[value="0"]').is_hidden()
        assert adel.locator('#act-reply button[value="1"]').is_visible()
