"""Every route × every role × every verb has an expected answer, written down in one table.

The table is checked against ``app.url_map``: a new route that nobody put in the table fails
``test_every_route_is_in_the_table``, so access control is decided on purpose, never by default.

Outcomes: an HTTP status, or ``LOGIN`` for "sent to log in" (401, or a redirect to the log-in
page once it exists). Requests carry bodies that are refused by validation wherever that is
possible, so the run does not depend on the order of the rows.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from flask.testing import FlaskClient

from portal.accounts.models import UserInfo
from portal.db import transaction
from portal.tickets.attachments import add_attachment
from tests.support.web import PNG, ClientFor, MakeAccount, open_ticket
from tests.web.access_common import (
    ADMIN_PAGE,
    LOGIN,
    OWNER_PAGE,
    PUBLIC,
    ROLES,
    SIGNED_IN,
    STAFF_ACTION,
    STAFF_PAGE,
)

# Rows for later features live in ``access_rows_<feature>.py`` beside this file (each exports
# ROWS and, if its routes take new arguments, ARGUMENTS); they are merged in below.
Row = tuple[Any, ...]
# (endpoint, method) → (outcomes by role, request body: form dict, or ("json", value))
TABLE: dict[tuple[str, str], tuple[Row, Any]] = {
    ("static", "GET"): (PUBLIC, None),
    ("locale.switch", "GET"): ((303,) * 6, None),
    ("home.index", "GET"): (PUBLIC, None),
    # Probes for load balancers: no log-in, no rate limit.
    ("health.healthz", "GET"): (PUBLIC, None),
    ("health.readyz", "GET"): (PUBLIC, None),
    ("search.index", "GET"): (PUBLIC, None),
    ("kb.category", "GET"): (PUBLIC, None),
    ("kb.article", "GET"): (PUBLIC, None),
    ("api.search", "GET"): (PUBLIC, None),
    ("api.suggest", "GET"): (PUBLIC, None),
    ("api.articles", "GET"): (PUBLIC, None),
    ("api.article", "GET"): (PUBLIC, None),
    # The ticket API.
    ("api.create_ticket", "POST"): ((LOGIN, 422, 422, 422, 422, 422), ("json", {})),
    ("api.list_tickets", "GET"): (SIGNED_IN, None),
    ("api.get_ticket", "GET"): (OWNER_PAGE, None),
    ("api.add_reply", "POST"): ((LOGIN, 422, 422, 404, 404, 422), ("json", {"body": ""})),
    ("api.escalate", "POST"): ((LOGIN, 403, 422, 404, 404, 422), ("json", {"reason": ""})),
    ("api.resolve", "POST"): ((LOGIN, 403, 422, 404, 404, 422), ("json", {})),
    ("api.list_canned_responses", "GET"): (STAFF_PAGE, None),
    # Requesters' pages.
    ("tickets.new", "GET"): (PUBLIC, None),
    ("tickets.create", "POST"): ((400,) * 6, {}),
    ("tickets.suggested", "GET"): ((303,) * 6, None),
    ("tickets.mine", "GET"): (SIGNED_IN, None),
    # Staff are sent on to the agent page of the ticket.
    ("tickets.detail", "GET"): ((LOGIN, 200, 303, 404, 404, 303), None),
    ("tickets.reply", "POST"): ((LOGIN, 303, 303, 404, 404, 303), {"body": ""}),
    ("tickets.confirm", "POST"): ((LOGIN, 409, 403, 404, 404, 403), {}),
    ("tickets.reopen", "POST"): ((LOGIN, 409, 409, 404, 404, 409), {}),
    ("tickets.rate", "POST"): ((LOGIN, 409, 403, 404, 404, 403), {}),
    ("tickets.attachment", "GET"): (OWNER_PAGE, None),
    # Agents' pages.
    ("agent.queue", "GET"): (STAFF_PAGE, None),
    ("agent.ticket", "GET"): (STAFF_PAGE, None),
    ("agent.new", "GET"): (STAFF_PAGE, None),
    ("agent.create", "POST"): ((LOGIN, 403, 400, 403, 403, 400), {}),
    ("agent.claim", "POST"): (STAFF_ACTION, {}),
    ("agent.assign", "POST"): (STAFF_ACTION, {}),
    ("agent.update", "POST"): (STAFF_ACTION, {}),
    ("agent.status", "POST"): (STAFF_ACTION, {}),
    ("agent.escalate", "POST"): (STAFF_ACTION, {}),
    ("agent.reply", "POST"): (STAFF_ACTION, {}),
    ("agent.link", "POST"): (STAFF_ACTION, {}),
    ("agent.resolve", "POST"): (STAFF_ACTION, {}),
    ("agent.flag", "POST"): (STAFF_ACTION, {}),
    ("agent.canned", "GET"): (STAFF_PAGE, None),
    ("agent.save_canned", "POST"): ((LOGIN, 403, 400, 403, 403, 400), {}),
    ("agent.delete_canned", "POST"): ((LOGIN, 403, 404, 403, 403, 404), {}),
    # Accounts and administration (portal/web/auth, portal/web/admin): rows for routes that
    # are not registered yet are skipped, and checked as soon as the routes land.
    ("auth.login", "GET"): ((200, 303, 303, 303, 303, 303), None),
    ("auth.login", "POST"): ((400, 303, 303, 303, 303, 303), {}),
    ("auth.register", "GET"): ((200, 303, 303, 303, 303, 303), None),
    ("auth.register", "POST"): ((400, 303, 303, 303, 303, 303), {}),
    ("auth.profile", "GET"): (SIGNED_IN, None),
    ("auth.save_profile", "POST"): ((LOGIN, 400, 400, 400, 400, 400), {}),
    ("auth.change_password", "POST"): ((LOGIN, 400, 400, 400, 400, 400), {}),
    ("auth.create_token", "POST"): ((LOGIN, 400, 400, 400, 400, 400), {}),
    # Nobody may revoke a token that is not theirs: it answers like a missing one.
    ("auth.revoke_token", "POST"): ((LOGIN, 404, 404, 404, 404, 404), {}),
    ("auth.forgot", "GET"): (PUBLIC, None),
    ("auth.forgot", "POST"): ((400,) * 6, {}),
    ("auth.reset", "GET"): (PUBLIC, None),
    ("auth.reset", "POST"): ((400,) * 6, {}),
    ("auth_api.me", "GET"): (SIGNED_IN, None),
    ("admin.index", "GET"): ((LOGIN, 403, 403, 403, 403, 303), None),
    ("admin.users", "GET"): (ADMIN_PAGE, None),
    ("admin.create", "GET"): (ADMIN_PAGE, None),
    ("admin.create", "POST"): ((LOGIN, 403, 403, 403, 403, 400), {}),
    ("admin.user", "GET"): (ADMIN_PAGE, None),
    ("admin.save_roles", "POST"): ((LOGIN, 403, 403, 403, 403, 400), {}),
    ("admin.act", "POST"): ((LOGIN, 403, 403, 403, 403, 303), {}),
    ("admin.jobs", "GET"): (ADMIN_PAGE, None),
    ("admin.run_job", "POST"): ((LOGIN, 403, 403, 403, 403, 303), {}),
}

ARGUMENTS = {
    "filename": "css/sanad.css",
    "code": "en",
    "slug": "accounts",
    "lang": "ar",
    "article_id": "reset-password",
    "token": "not-a-real-token",
    "action": "unlock",
    "response_id": 999_999,  # no such canned response
    "token_id": 999_999,  # no such API token
    "name": "mail_outbox",  # a job
}


for _module in sorted(Path(__file__).parent.glob("access_rows_*.py")):
    _rows = importlib.import_module(f"tests.web.{_module.stem}")
    TABLE.update(_rows.ROWS)
    ARGUMENTS.update(getattr(_rows, "ARGUMENTS", {}))
# Last: logging out ends every session of the person.
TABLE[("auth.sign_out_everywhere", "POST")] = ((LOGIN, 303, 303, 303, 303, 303), {})
TABLE[("auth.logout", "POST")] = ((LOGIN,) * 6, {})


def routes(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods or ():
            if method not in ("HEAD", "OPTIONS"):
                found.add((rule.endpoint, method))
    return found


def test_every_route_is_in_the_table(web: Flask) -> None:
    missing = sorted(routes(web) - set(TABLE))
    assert not missing, f"decide who may use these routes, in TABLE: {missing}"


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/tickets/new").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def outcome(response: Any) -> int | str:
    status = int(response.status_code)
    location = response.headers.get("Location", "")
    if status == 401 or (status in (302, 303) and "/auth/login" in location):
        return LOGIN
    return status


def test_every_role_gets_the_expected_answer(
    web: Flask, make_account: MakeAccount, client_for: ClientFor
) -> None:
    users: dict[str, UserInfo | None] = {"anonymous": None}
    for role in ROLES[1:]:
        users[role] = make_account(role)
    target = make_account("requester")  # the person the admin rows act on
    owner = client_for(users["requester"])
    reference = open_ticket(owner)
    with transaction(web.extensions["sanad"].sessions) as session:
        attachment = add_attachment(
            session,
            web.extensions["sanad"].settings.tickets,
            users["requester"],
            reference,
            filename="shot.png",
            data=PNG,
            now=dt.datetime.now(dt.UTC),
        )
    arguments = {
        **ARGUMENTS,
        "reference": reference,
        "attachment_id": attachment.id,
        "user_id": target.id,
    }
    rules = {rule.endpoint: rule for rule in web.url_map.iter_rules()}
    web.config["WTF_CSRF_ENABLED"] = True  # as in production: every POST carries its token
    clients = {role: client_for(user) for role, user in users.items()}
    tokens = {role: csrf_token(client) for role, client in clients.items()}
    present = routes(web)
    wrong = []
    for (endpoint, method), (expected, body) in TABLE.items():
        if (endpoint, method) not in present:
            continue
        rule = rules[endpoint]
        with web.test_request_context():
            url = url_for(endpoint, **{name: arguments[name] for name in rule.arguments})
        for role, want in zip(ROLES, expected, strict=True):
            kwargs: dict[str, Any] = {"headers": {"X-CSRFToken": tokens[role]}}
            if isinstance(body, tuple):
                kwargs["json"] = body[1]
            elif body is not None:
                kwargs["data"] = {**body, "csrf_token": tokens[role]}
            response = clients[role].open(url, method=method, **kwargs)
            got = outcome(response)
            response.close()
            if got != want:
                wrong.append(f"{method} {url} as {role}: expected {want}, got {got}")
    assert not wrong, "\n".join(wrong)
