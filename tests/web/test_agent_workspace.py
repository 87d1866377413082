"""The agent's working page without JavaScript, and its timeline (issue 10): an article is
linked by its title as typed (the picker's fallback), who speaks is marked on every message,
and what happened to the ticket is in the conversation in order."""

from __future__ import annotations

import io
import re

from flask import Flask

from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of


def test_a_typed_title_links_its_article_and_an_unknown_one_is_refused_and_kept(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    reference = open_ticket(client_for(requester))
    staff = client_for(agent)
    typed = staff.post(
        f"/agent/tickets/{reference}/link",
        data={"article_id": "  connect to the VPN   from home "},  # the title, loosely typed
    )
    assert typed.status_code == 303
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "The article was linked." in page
    linked = page.split('id="linked-title"', 1)[1].split("</section>", 1)[0]
    assert "/kb/en/vpn-connect" in linked

    unknown = staff.post(
        f"/agent/tickets/{reference}/link", data={"article_id": "A title nobody wrote"}
    )
    assert unknown.status_code == 303
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    assert "Not saved" in page
    assert 'value="A title nobody wrote"' in page  # kept in the picker's field


def test_the_timeline_marks_who_speaks_in_the_order_it_happened(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(name="Rana"), make_account("agent", name="Adel")
    asker = client_for(requester)
    reference = open_ticket(asker)
    staff = client_for(agent)
    assert staff.post(f"/agent/tickets/{reference}/claim").status_code == 303
    reply = f"/agent/tickets/{reference}/reply"
    staff.post(reply, data={"body": "Try again now.", "internal": "0"})
    staff.post(reply, data={"body": "Gateway ok.", "internal": "1"})
    asker.post(f"/tickets/{reference}/reply", data={"body": "Still dropping."})
    page = text_of(staff.get(f"/agent/tickets/{reference}"))
    timeline = page.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    kinds = re.findall(r'<li class="(message message-\w+|timeline-event)', timeline)
    assert kinds[0] == "message message-requester"  # the ticket itself
    speakers = [k.removeprefix("message message-") for k in kinds if k.startswith("message")]
    assert speakers == ["requester", "agent", "note", "requester"]
    assert kinds.index("timeline-event") < kinds.index("message message-agent")  # the claim
    assert "Adel" in timeline.split("timeline-event", 1)[1].split("</li>", 1)[0]
    # The requester sees the same marks on their page, and no internal note.
    own = text_of(asker.get(f"/tickets/{reference}"))
    assert "Gateway ok." not in own
    assert own.count("speaker-agent") == 1
    assert "timeline-event" not in own


def test_a_refused_note_comes_back_as_a_note_and_a_refused_reply_as_a_reply(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    reference = open_ticket(client_for(make_account()))
    staff = client_for(make_account("agent"))
    for internal, mode, body in (("1", "note", "VIP, do not tell"), ("0", "reply", "Try this")):
        refused = staff.post(
            f"/agent/tickets/{reference}/reply",
            data={"body": body, "internal": internal,
                  "file": (io.BytesIO(b""), "empty.png")},  # refused: empty
            content_type="multipart/form-data",
        )  # fmt: skip
        assert refused.status_code == 303
        page = text_of(staff.get(f"/agent/tickets/{reference}"))
        panel = page.split('id="act-reply"', 1)[1].split(">", 1)[0]
        # The page script opens the bar's button of this mode: a note is never shown behind
        # "Send reply to the requester" alone.
        assert f'data-open="{mode}"' in panel, panel
        assert f">{body}</textarea>" in page.replace("&#39;", "'").replace("&#34;", '"')


def test_the_requester_sees_every_resolution_and_reopening_in_the_conversation(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(name="Rana"), make_account("agent", name="Adel")
    asker, staff = client_for(requester), client_for(agent)
    reference = open_ticket(asker)
    resolve = f"/agent/tickets/{reference}/resolve"
    assert staff.post(resolve, data={"note": "Restarted the VPN gateway."}).status_code == 303
    reopened = asker.post(f"/tickets/{reference}/reopen", data={"reason": "It dropped again."})
    assert reopened.status_code == 303
    assert (
        staff.post(resolve, data={"note": "Replaced the gateway's certificate."}).status_code == 303
    )
    page = text_of(asker.get(f"/tickets/{reference}"))
    timeline = page.split('class="timeline"', 1)[1].split("</ol>", 1)[0]
    first = timeline.index("Restarted the VPN gateway.")
    again = timeline.index("It dropped again.")
    second = timeline.index("Replaced the gateway&#39;s certificate.")
    assert first < again < second  # the first resolution is not replaced by the second
    assert timeline.count("timeline-event") == 3  # resolved, reopened, resolved
