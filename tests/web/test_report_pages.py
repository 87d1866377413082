"""The dashboards (/reports/service, /reports/knowledge, /reports/me): who sees which, the
GET filter form (a bad value is named and kept), charts beside their tables, "not available"
instead of zero, CSV links with the same filters, and a content gap turned into a draft."""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask

from portal.db import transaction, utcnow
from portal.events import Event
from portal.kb.workflow import get_draft
from portal.reports.registry import site_today
from tests.support.web import open_ticket
from tests.web.conftest import ClientFor, MakeAccount


def _page(response: object) -> str:
    return response.get_data(as_text=True)  # type: ignore[attr-defined, no-any-return]


def test_each_dashboard_is_for_its_audience(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    expected = {
        "requester": (403, 403, 403),
        "agent": (403, 403, 200),
        "knowledge_manager": (403, 200, 403),
        "admin": (200, 200, 200),
    }
    for role, codes in expected.items():
        client = client_for(make_account(role))
        got = tuple(
            client.get(f"/reports/{name}").status_code for name in ("service", "knowledge", "me")
        )
        assert got == codes, role
    assert client_for(None).get("/reports/service").status_code in (302, 303, 401)


def test_the_nav_links_the_dashboards_a_person_may_see(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    manager = _page(client_for(make_account("knowledge_manager")).get("/"))
    assert 'href="/reports/knowledge"' in manager
    assert 'href="/reports/service"' not in manager
    agent = _page(client_for(make_account("agent")).get("/"))
    assert 'href="/reports/me"' in agent
    assert 'href="/reports/knowledge"' not in agent


def test_a_bad_filter_is_named_and_kept(client_for: ClientFor, make_account: MakeAccount) -> None:
    admin = client_for(make_account("admin"))
    answer = admin.get("/reports/service?from=2026-13-01&team=support")
    assert answer.status_code == 400
    page = _page(answer)
    assert "Write dates as YYYY-MM-DD" in page
    assert 'value="2026-13-01" aria-invalid="true"' in page
    assert 'value="support"' in page
    assert "<svg" not in page
    bad_priority = admin.get("/reports/service?priority=mega")
    assert bad_priority.status_code == 400
    assert "Choose one of the listed values." in _page(bad_priority)


def test_the_service_dashboard_charts_and_tables_the_tickets(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = client_for(make_account("requester"))
    open_ticket(requester, "Printer offline")
    open_ticket(requester, "VPN drops")
    admin = client_for(make_account("admin"))
    today = utcnow().date()
    start = (today - dt.timedelta(days=2)).isoformat()
    page = _page(admin.get(f"/reports/service?from={start}&to={today.isoformat()}&channel=web"))
    volume = page.split('id="volume-over_time"')[1].split("</section>")[0]
    assert '<svg viewBox="0 0 600 200"' in volume
    assert volume.count('class="chart-point"') == 3  # three days
    # The table beside the chart holds the same numbers.
    assert '<th scope="col">Period</th><th scope="col">Tickets</th>' in volume
    assert re.search(r"<td dir=\"auto\">2</td>", page.split('id="volume-by_channel"')[1])
    # The CSV link carries the same filters.
    csv_link = re.search(r'href="(/api/v1/reports/volume\.csv\?[^"]+)"', volume)
    assert csv_link is not None
    link = csv_link.group(1).replace("&amp;", "&")
    assert "table=over_time" in link
    assert f"from={start}" in link
    assert "channel=web" in link
    csv = admin.get(link)
    assert csv.status_code == 200
    assert csv.get_data(as_text=True).splitlines()[0] == "period,tickets"


def test_figures_without_service_levels_say_not_available(
    client_for: ClientFor, make_account: MakeAccount
) -> None:
    admin = client_for(make_account("admin"))
    page = _page(admin.get("/reports/service"))
    compliance = page.split('id="service-levels-compliance"')[1].split("</section>")[0]
    assert "Not available: no ticket has service-level targets yet." in compliance
    totals = page.split('id="totals-title"')[1].split("</dl>")[0]
    assert "<dt>Service-level compliance %</dt><dd>not available</dd>" in totals


def test_arabic_charts_run_right_to_left(client_for: ClientFor, make_account: MakeAccount) -> None:
    requester = client_for(make_account("requester"))
    open_ticket(requester, "Printer offline")
    admin = client_for(make_account("admin"))
    admin.set_cookie("sanad_locale", "ar")
    page = _page(admin.get("/reports/service"))
    assert 'dir="rtl"' in page
    volume = page.split('id="volume-over_time"')[1].split("</section>")[0]
    xs = [float(x) for x in re.findall(r'<circle cx="([0-9.]+)"', volume)]
    assert xs == sorted(xs, reverse=True)  # the first day on the right
    by_channel = page.split('id="volume-by_channel"')[1].split("</section>")[0]
    axis = float(re.findall(r'<line x1="([0-9.]+)"[^>]*class="chart-axis"', by_channel)[0])
    bar = re.findall(r'<rect x="([0-9.]+)" y="[0-9.]+" width="([0-9.]+)"', by_channel)[0]
    assert axis > 300
    assert float(bar[0]) + float(bar[1]) == axis


def test_my_week_shows_only_my_tickets(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = client_for(make_account("requester"))
    mine = open_ticket(requester, "Printer offline")
    open_ticket(requester, "VPN drops")
    agent = make_account("agent", name="Adel")
    browser = client_for(agent)
    assert browser.post(f"/agent/tickets/{mine}/claim").status_code == 303
    page = _page(browser.get("/reports/me"))
    assert "My week" in page
    today = site_today(utcnow(), web.extensions["sanad"].settings.tickets.timezone)
    assert f'value="{(today - dt.timedelta(days=6)).isoformat()}"' in page
    totals = page.split('id="totals-title"')[1].split("</dl>")[0]
    assert "<dt>Tickets opened</dt><dd>1</dd>" in totals  # the one assigned to me, of two
    figures = page.split('id="agents-agents"')[1].split("</section>")[0]
    assert '<td dir="auto">Adel</td><td dir="auto">1</td>' in figures


def _gap(web: Flask, query: str, reference: str) -> None:
    now = utcnow()
    with transaction(web.extensions["sanad"].sessions) as session:
        for visitor in ("v1", "v2"):
            session.add(
                Event(kind="search", created_at=now - dt.timedelta(hours=2), visitor=visitor,
                      lang="ar", query=query, hits=0)
            )  # fmt: skip
        session.add(
            Event(kind="ticket", created_at=now - dt.timedelta(hours=1), visitor="v1", lang="ar",
                  data={"reference": reference})
        )  # fmt: skip


def test_a_content_gap_becomes_a_draft(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester = client_for(make_account("requester"))
    reference = open_ticket(requester, "لا أستطيع طباعة الشهادة")
    _gap(web, "طباعة الشهادة", reference)
    manager = client_for(make_account("knowledge_manager"))
    page = _page(manager.get("/reports/knowledge"))
    gaps = page.split('id="content-gaps-gaps"')[1].split("</section>")[0]
    assert "طباعة الشهادة" in gaps
    assert "Start a draft" in gaps
    # Grouped by the normal form (taa marbuta as haa...), shown by its usual spelling.
    assert 'name="group" value="طباعه الشهاده"' in gaps
    answer = manager.post("/reports/knowledge/gaps", data={"group": "طباعه الشهادات"})
    assert answer.status_code == 404  # no such gap in these dates
    answer = manager.post("/reports/knowledge/gaps", data={"group": "طباعه الشهاده"})
    assert answer.status_code == 303
    draft_id = answer.headers["Location"].rstrip("/").split("/")[-1]
    services = web.extensions["sanad"]
    with services.sessions() as session:
        draft = get_draft(session, services.repository, draft_id)
    assert draft.lang == "ar"
    assert draft.status == "draft"
    assert draft.title == "طباعة الشهادة"
    assert reference in draft.markdown
    assert "لا أستطيع طباعة الشهادة" in draft.markdown
    assert draft.source_tickets == (reference,)
    # Agents see the queue's figures elsewhere, but may not start drafts from it.
    agent = client_for(make_account("agent"))
    refused = agent.post("/reports/knowledge/gaps", data={"group": "طباعه الشهاده"})
    assert refused.status_code == 403
