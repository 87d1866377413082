"""Teams are named from their records in the reader's language: an admin renames a team on the
admin page and the queue, the ticket page and the history sentences follow; a ticket whose
team has no record any more shows the team's key. An escalation to the next tier's team takes
the agent back to the queue (the ticket is no longer theirs to open)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, update

from portal.accounts.models import Team
from portal.accounts.services import create_user
from portal.accounts.teams import create_team
from portal.db import transaction
from portal.tickets.models import Ticket
from portal.tickets.sla_admin import save_policy
from tests.support.accounts import CHEAP
from tests.support.accounts import PASSWORD as ACCOUNT_PASSWORD
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of
from tests.web.conftest import NOW


def _team_menu(page: str) -> list[str]:
    menu = page.split('<select name="team">', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', menu)


def _in(client: FlaskClient, lang: str, url: str) -> str:
    client.set_cookie("sanad_locale", lang)
    response = client.get(url)
    assert response.status_code == 200
    return text_of(response)


def test_an_admin_renames_a_team_and_every_page_names_it_so_in_both_languages(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    admin = client_for(make_account("admin", name="Huda"))
    agent = client_for(make_account("agent", name="Khalid"))
    reference = open_ticket(client_for(make_account(name="Mona")), subject="Printer jams")
    ticket_url = f"/agent/tickets/{reference}"
    assert "<dd>Support team</dd>" in _in(agent, "en", ticket_url)  # the seeded name
    assert "<dd>فريق الدعم</dd>" in _in(agent, "ar", ticket_url)

    saved = admin.post(
        "/admin/teams/support",
        data={
            "name_ar": "مكتب الخدمة",
            "name_en": "Service desk",
            "tier": "1",
            "assignment": "round_robin",
            "active": "y",
        },
    )
    assert saved.status_code == 303

    assert "<dd>Service desk</dd>" in _in(agent, "en", ticket_url)
    assert _team_menu(_in(agent, "en", "/agent")) == ["Service desk"]
    assert "<dd>مكتب الخدمة</dd>" in _in(agent, "ar", ticket_url)
    assert _team_menu(_in(agent, "ar", "/agent")) == ["مكتب الخدمة"]
    # The service-level policies narrow by team from a menu of the records.
    policies = _in(admin, "ar", "/admin/service-levels/")
    menu = policies.split('id="policy-new-team"', 1)[1].split("</select>", 1)[0]
    assert '<option value="support">مكتب الخدمة</option>' in menu
    for page in (_in(agent, "en", ticket_url), _in(agent, "ar", "/agent")):
        assert "Support team" not in page
        assert "فريق الدعم" not in page


def test_a_ticket_whose_team_record_is_gone_shows_the_key(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    admin_account = make_account("admin")
    agent = client_for(admin_account)
    reference = open_ticket(client_for(make_account()), subject="Old ticket")
    with transaction(web.extensions["sanad"].sessions) as session:
        session.execute(update(Ticket).values(team="archive"))
        session.execute(delete(Team).where(Team.key == "archive"))
        save_policy(session, admin_account, policy_id=None, name="Archive", team="archive")
    assert "<dd>archive</dd>" in _in(agent, "ar", f"/agent/tickets/{reference}")
    # A policy narrowed to that team keeps it in its menu, by key.
    policies = _in(agent, "ar", "/admin/service-levels/")
    assert '<option value="archive" selected>archive</option>' in policies


def test_escalation_to_the_next_tiers_team_reads_as_sentences_and_returns_to_the_queue(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    wired = web.extensions["sanad"]
    admin_account = make_account("admin", name="Huda")
    with transaction(wired.sessions) as session:
        create_team(
            session,
            admin_account,
            key="network-l2",
            name_ar="الشبكات، المستوى الثاني",
            name_en="Network, tier 2",
            tier=2,
        )
        create_user(
            session,
            CHEAP,
            email="salma@example.com",
            name="Salma",
            password=ACCOUNT_PASSWORD,
            roles=("agent",),
            lang="ar",
            tier=2,
            teams=("network-l2",),
            now=NOW,
        )
    khalid = client_for(make_account("agent", name="Khalid"))
    reference = open_ticket(client_for(make_account(name="Mona")), subject="VPN refuses")
    khalid.post(f"/agent/tickets/{reference}/claim")
    done = khalid.post(f"/agent/tickets/{reference}/escalate", data={"reason": "Server side"})
    assert done.status_code == 303
    assert done.headers["Location"].endswith("/agent")  # no longer Khalid's to open
    assert khalid.get(f"/agent/tickets/{reference}").status_code == 404

    admin = client_for(admin_account)
    english = _in(admin, "en", f"/agent/tickets/{reference}")
    assert "<dd>Network, tier 2</dd>" in english
    history = re.sub(r"<[^>]+>", "", english.split('<details class="history">', 1)[1])
    history = re.sub(r"\s+", " ", history)
    assert "Khalid escalated the ticket to tier 2 — Server side" in history
    assert "Khalid moved the ticket from Support team to Network, tier 2" in history
    assert "Khalid assigned the ticket to Salma" in history
    arabic = _in(admin, "ar", f"/agent/tickets/{reference}")
    arabic_history = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", arabic.split("history", 1)[1]))
    assert "من فريق الدعم إلى الشبكات، المستوى الثاني" in arabic_history
    # The admin's queue offers every active team, named in the reader's language.
    assert _team_menu(_in(admin, "en", "/agent")) == ["Support team", "Network, tier 2"]
