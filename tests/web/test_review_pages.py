"""Editing and reviewing articles in the browser: drafts never touch the live article until a
second person approves; conflicts keep what was typed; history, diffs and restore."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.dates import HIJRI_MONTHS
from portal.search.models import SearchQuery
from tests.support.web import ClientFor, MakeAccount, text_of

LIVE = "/kb/en/vpn-connect"
NEW = "/review/drafts/new?article_id=vpn-connect&lang=en"


def form_of(page: str) -> dict[str, Any]:
    """The editor form's fields as the browser would send them back."""
    fields: dict[str, Any] = {}
    form = page[page.index('class="editor-form"') :]
    form = form[: form.index("</form>")]
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form):
        fields[name] = value
    for name, value in re.findall(
        r'<textarea[^>]*?name="([^"]+)"[^>]*>\n?(.*?)</textarea>', form, re.S
    ):
        fields[name] = unescape(value)
    for name, body in re.findall(r'<select[^>]*?name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"|value="([^"]*)" selected', body)
        first = re.search(r'value="([^"]*)"', body)
        if chosen:
            fields[name] = chosen.group(1) or chosen.group(2)
        elif first:
            fields[name] = first.group(1)
    return {k: unescape(v) if isinstance(v, str) else v for k, v in fields.items()}


def unescape(value: str) -> str:
    return html.unescape(value)


def start_edit(client: FlaskClient, **changes: str) -> tuple[str, dict[str, Any]]:
    """Open the live article in the editor, change fields, save: the new draft's id."""
    page = text_of(client.get(NEW))
    data = {**form_of(page), **changes}
    response = client.post("/review/drafts/new", data=data)
    assert response.status_code == 303, text_of(response)
    draft_id = response.headers["Location"].rsplit("/", 1)[1]
    return draft_id, data


@pytest.fixture
def km(make_account: MakeAccount, client_for: ClientFor) -> FlaskClient:
    return client_for(make_account("knowledge_manager", name="Kareem Editor"))


@pytest.fixture
def reviewer(make_account: MakeAccount, client_for: ClientFor) -> FlaskClient:
    return client_for(make_account("knowledge_manager", name="Rana Reviewer"))


def test_who_may_open_the_review_pages(
    make_account: MakeAccount, client_for: ClientFor, km: FlaskClient
) -> None:
    assert "/auth/login" in client_for(None).get("/review/").headers["Location"]
    assert client_for(make_account("requester")).get("/review/").status_code == 403
    assert client_for(make_account("agent")).get(NEW).status_code == 403
    assert km.get("/review/").status_code == 200
    trainer = client_for(make_account("trainer"))
    assert trainer.get("/review/").status_code == 200
    # A trainer writes workshop guides only.
    assert trainer.get(NEW).status_code == 403
    assert 'value="workshop"' in text_of(trainer.get("/review/drafts/new"))
    assert 'value="faq"' not in text_of(trainer.get("/review/drafts/new"))


def test_staff_links_on_the_article_page(
    make_account: MakeAccount, client_for: ClientFor, km: FlaskClient
) -> None:
    page = text_of(km.get(LIVE))
    assert 'href="/review/drafts/new?article_id=vpn-connect&amp;lang=en"' in page
    assert 'href="/review/articles/en/vpn-connect/history"' in page
    assert 'href="/review/"' in page  # the navigation
    for role in ("requester", "agent", "trainer"):
        other = text_of(client_for(make_account(role)).get(LIVE))
        assert "/review/drafts/new" not in other
        assert 'href="/review/"' not in other or role == "trainer"


def test_edit_review_and_approve(km: FlaskClient, reviewer: FlaskClient, web: Flask) -> None:
    page = text_of(km.get(NEW))
    assert 'value="Connect to the VPN from home"' in page
    assert "Install the VPN client" in page
    draft_id, _ = start_edit(
        km, markdown="Install the client. Ask for the quokkaphone token at the desk.\n"
    )
    # The live article is unchanged until approval.
    assert "quokkaphone" not in text_of(km.get(LIVE))
    draft = text_of(km.get(f"/review/drafts/{draft_id}"))
    assert "quokkaphone" in draft
    assert "diff-add" in draft
    assert "diff-remove" in draft
    assert "Approve and publish" not in draft

    response = km.post(f"/review/drafts/{draft_id}/submit")
    assert response.status_code == 303
    mine = text_of(km.get(f"/review/drafts/{draft_id}"))
    assert "In review" in mine
    assert "Approve and publish" not in mine
    assert "Another knowledge manager must review your change." in mine
    # The author cannot approve their own change, even by posting the form.
    km.post(f"/review/drafts/{draft_id}/approve")
    assert "quokkaphone" not in text_of(km.get(LIVE))

    # The reviewer sees it in the queue, asks for a change with a comment...
    assert f"/review/drafts/{draft_id}" in text_of(reviewer.get("/review/"))
    empty = reviewer.post(f"/review/drafts/{draft_id}/request-changes", data={"comment": " "})
    assert empty.status_code == 400
    response = reviewer.post(
        f"/review/drafts/{draft_id}/request-changes", data={"comment": "Say where the desk is."}
    )
    assert response.status_code == 303
    back = text_of(km.get(f"/review/drafts/{draft_id}"))
    assert "Say where the desk is." in back
    assert "asked for changes" in back
    # ...the author saves and sends it again, the reviewer approves.
    data = {**form_of(back), "markdown": "Ask for the quokkaphone token at desk 3.\n"}
    response = km.post(f"/review/drafts/{draft_id}", data={**data, "then": "submit"})
    assert response.status_code == 303
    response = reviewer.post(f"/review/drafts/{draft_id}/approve")
    assert response.status_code == 303
    done = text_of(reviewer.get(f"/review/drafts/{draft_id}"))
    assert "Published" in done
    assert "searchable now" in done
    assert "desk 3" in text_of(km.get(LIVE))
    # Searchable at once.
    results = web.extensions["sanad"].search.search(SearchQuery(text="quokkaphone", lang="en"))
    assert [hit.entry.id for hit in results.hits] == ["vpn-connect"]
    # The history records the reviewer.
    history = text_of(km.get("/review/articles/en/vpn-connect/history"))
    assert "Rana Reviewer" in history
    assert "Kareem Editor" in history


def test_form_errors_keep_what_was_typed(km: FlaskClient) -> None:
    page = text_of(km.get(NEW))
    data = {**form_of(page), "title": "", "markdown": "My careful new paragraph."}
    response = km.post("/review/drafts/new", data=data)
    assert response.status_code == 400
    again = text_of(response)
    assert "This field is required." in again
    assert "My careful new paragraph." in again
    assert 'aria-invalid="true"' in again
    # An empty body is refused the same way, the title kept.
    empty = km.post("/review/drafts/new", data={**data, "title": "Kept title", "markdown": ""})
    assert empty.status_code == 400
    assert 'value="Kept title"' in text_of(empty)


def test_two_saves_from_one_base_give_a_conflict(km: FlaskClient, reviewer: FlaskClient) -> None:
    draft_id, _ = start_edit(km)
    first = form_of(text_of(km.get(f"/review/drafts/{draft_id}")))
    second = form_of(text_of(reviewer.get(f"/review/drafts/{draft_id}")))
    assert first["base"] == second["base"]
    ok = km.post(f"/review/drafts/{draft_id}", data={**first, "markdown": "Kareem's version."})
    assert ok.status_code == 303
    clash = reviewer.post(
        f"/review/drafts/{draft_id}", data={**second, "markdown": "Rana's own words."}
    )
    assert clash.status_code == 409
    page = text_of(clash)
    assert "Someone else saved this draft while you were editing." in page
    assert "Rana&#39;s own words." in page or "Rana's own words." in page  # kept in the form
    assert "Kareem&#39;s version." in page  # the current version, to merge by hand
    # Saving again after seeing the conflict is a deliberate choice and succeeds.
    merged = form_of(page)
    assert merged["base"] != second["base"]
    again = reviewer.post(f"/review/drafts/{draft_id}", data={**merged, "markdown": "Merged."})
    assert again.status_code == 303


def test_preview_renders_with_the_sanitizer(km: FlaskClient, client_for: ClientFor) -> None:
    response = km.post("/review/preview", data={"markdown": "## Hi\n\n<script>x()</script>**b**"})
    assert response.status_code == 200
    rendered = response.get_json()["html"]
    assert "<h2" in rendered
    assert "<strong>b</strong>" in rendered
    assert "<script" not in rendered
    assert client_for(None).post("/review/preview", data={"markdown": "x"}).status_code in (
        302,
        303,
    )


def test_history_diff_and_restore(km: FlaskClient, reviewer: FlaskClient) -> None:
    draft_id, _ = start_edit(km, markdown="Version two of the VPN text.\n")
    km.post(f"/review/drafts/{draft_id}/submit")
    assert reviewer.post(f"/review/drafts/{draft_id}/approve").status_code == 303
    history = text_of(km.get("/review/articles/en/vpn-connect/history"))
    commits = re.findall(r'name="commit" value="([0-9a-f]{40})"', history)
    assert len(commits) == 1  # the older version can be restored; the live one is current
    diff = text_of(km.get("/review/articles/en/vpn-connect/diff"))
    assert "Version two of the VPN text." in diff
    assert "diff-remove" in diff
    # The versions menu dates a version like every page does (Hijri beside it in Arabic).
    options = re.findall(r"<option[^>]*>([^<]*)</option>", diff)
    assert options
    assert not any(m in o for m in HIJRI_MONTHS for o in options), options
    km.get("/locale/ar")
    arabic = text_of(km.get("/review/articles/en/vpn-connect/diff"))
    options = re.findall(r"<option[^>]*>([^<]*)</option>", arabic)
    assert options
    assert all(any(m in o for m in HIJRI_MONTHS) for o in options), options
    km.get("/locale/en")
    bad = km.get("/review/articles/en/vpn-connect/diff?old=nonsense")
    assert bad.status_code == 400
    assert km.get("/review/articles/en/no-such/history").status_code == 404
    response = km.post("/review/articles/en/vpn-connect/restore", data={"commit": commits[0]})
    assert response.status_code == 303
    restored = text_of(km.get(response.headers["Location"]))
    assert "Install the VPN client" in restored
    assert "Version two of the VPN text." in text_of(km.get(LIVE))  # still a draft
    wrong = km.post("/review/articles/en/vpn-connect/restore", data={"commit": "0" * 40})
    assert wrong.status_code == 303
    assert "/history" in wrong.headers["Location"]


def test_trainer_writes_and_publishes_a_workshop_guide(
    make_account: MakeAccount, client_for: ClientFor, web: Flask
) -> None:
    trainer = client_for(make_account("trainer", name="Tamer Trainer"))
    page = text_of(trainer.get("/review/drafts/new"))
    data = {
        **form_of(page),
        "title": "Phishing drill workshop",
        "markdown": "Bring your laptop.\n",
        "lang": "en",
        "category": "support",
        "audience_note": "For new staff.",
        "prerequisites": "A laptop\nYour badge\n",
        "materials": "Slides",
        "schedule-0-date": "2027-02-01",
        "schedule-0-time": "10:00",
        "schedule-0-offset": "+03:00",
        "schedule-0-duration_minutes": "90",
        "schedule-0-place": "Room 2",
        "schedule-0-online_url": "https://meet.example.org/drill",
        "modules-0-title": "Spot the fake",
        "modules-0-minutes": "30",
    }
    bad = trainer.post("/review/drafts/new", data={**data, "schedule-1-place": "Room 9"})
    assert bad.status_code == 400  # a session without a date
    assert "Room 9" in text_of(bad)
    assert "Bring your laptop." in text_of(bad)
    response = trainer.post("/review/drafts/new", data=data)
    assert response.status_code == 303, text_of(response)
    draft_page = text_of(trainer.get(response.headers["Location"]))
    assert ">Publish<" in draft_page
    assert 'value="2027-02-01"' in draft_page
    assert 'value="Spot the fake"' in draft_page
    draft_id = response.headers["Location"].rsplit("/", 1)[1]
    assert trainer.post(f"/review/drafts/{draft_id}/approve").status_code == 303
    wired = web.extensions["sanad"]
    entry = next(p for p in wired.repository.article_paths() if "phishing-drill" in p)
    article = wired.repository.load(entry)
    assert article.kind == "workshop"
    assert article.extra["schedule"][0]["start"].startswith("2027-02-01T10:00:00+03:00")
    assert article.extra["modules"] == [{"title": "Spot the fake", "minutes": 30}]
    assert article.extra["prerequisites"] == ["A laptop", "Your badge"]


def test_archiving_goes_through_review_and_takes_the_article_off_the_site(
    km: FlaskClient, reviewer: FlaskClient, client_for: ClientFor
) -> None:
    history = text_of(km.get("/review/articles/en/vpn-connect/history"))
    base = re.search(r'name="base" value="([0-9a-f]{40})"', history)
    assert base, "the history page offers to archive the live article"
    response = km.post("/review/articles/en/vpn-connect/archive", data={"base": base.group(1)})
    assert response.status_code == 303
    draft_id = response.headers["Location"].rsplit("/", 1)[1]
    assert "status: archived" in text_of(km.get(f"/review/drafts/{draft_id}"))
    visitor = client_for(None)
    assert visitor.get(LIVE).status_code == 200  # still live until a reviewer approves
    assert km.post(f"/review/drafts/{draft_id}/submit").status_code == 303
    assert reviewer.post(f"/review/drafts/{draft_id}/approve").status_code == 303
    assert visitor.get(LIVE).status_code == 404
    found = visitor.get("/api/v1/search?q=VPN&lang=en").get_json()
    assert "vpn-connect" not in [hit["id"] for hit in found["hits"]]
    # A stale base (the article moved on) is refused with a message, and creates nothing.
    stale = km.post("/review/articles/en/vpn-connect/archive", data={"base": base.group(1)})
    assert stale.status_code in (303, 404)
