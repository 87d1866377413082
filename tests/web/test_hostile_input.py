"""Input built to hurt the server (issue 15): it gets a clear 4xx, quickly, never a 500."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import text as sa_text

from portal import create_app
from portal.cli import main
from portal.config import ConfigError
from portal.db import UnstorableText, make_engine
from portal.web.json_bodies import MAX_JSON_DEPTH, json_depth
from portal.web.params import DB_ID_MAX, db_id
from tests.support.web import ClientFor, MakeAccount, open_ticket, text_of

DEEP_ARRAY = "[" * 5_000 + "]" * 5_000
DEEP_OBJECT = '{"a":' * 5_000 + "1" + "}" * 5_000


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(
    "path", ["/api/v1/tickets", "/api/v1/drafts", "/api/v1/articles/vpn-connect/feedback"]
)
def test_json_nested_5000_deep_is_a_400_with_a_json_error(
    web: Flask, client_for: ClientFor, make_account: MakeAccount, path: str, body: str
) -> None:
    client = client_for(make_account("agent"))
    response = client.post(path, data=body, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == 400
    assert f"nested more than {MAX_JSON_DEPTH} levels" in error["message"]


def test_json_just_inside_the_depth_limit_is_read(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    nested: Any = "deep"
    for _ in range(MAX_JSON_DEPTH - 2):
        nested = [nested]
    client = client_for(make_account())
    response = client.post(
        "/api/v1/tickets", json={"subject": "VPN", "body": "Drops", "extra": nested}
    )
    assert response.status_code == 201, response.get_json()
    too_deep = client.post(
        "/api/v1/tickets", json={"subject": "VPN", "body": "Drops", "extra": [[nested]]}
    )
    assert too_deep.status_code == 400


def test_json_depth_counts_without_recursion() -> None:
    value: Any = 1
    for _ in range(100_000):
        value = {"a": value}
    assert json_depth(value, 64) == 65  # stops counting past the limit
    assert json_depth(json.loads('{"a": [1, {"b": []}]}'), 64) == 4


def test_an_attachment_id_beyond_64_bits_is_a_404(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    client = client_for(make_account())
    reference = open_ticket(client)
    for number in (2**63, 2**64 + 1, 10**40):
        response = client.get(f"/tickets/{reference}/attachments/{number}")
        assert response.status_code == 404, number
    assert client.get(f"/tickets/{reference}/attachments/{DB_ID_MAX}").status_code == 404


def test_every_int_route_refuses_ids_beyond_the_database_range(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    admin = client_for(make_account("admin"))
    assert admin.get(f"/admin/users/{2**64}").status_code == 404
    converters = {
        type(converter).__name__
        for rule in web.url_map.iter_rules()
        for converter in rule._converters.values()
    }
    assert "IntegerConverter" not in converters
    assert "DbIdConverter" in converters


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), (12, 12), (True, None), (0, None), (2**63, None), ("²", None), (1.5, None)],
)
def test_db_id(value: object, expected: int | None) -> None:
    assert db_id(value) == expected


def test_index_path_that_is_a_file_fails_at_start_up(
    app_overrides: dict[str, Any], tmp_path: Path
) -> None:
    plain = tmp_path / "index-file"
    plain.write_text("not a directory")
    with pytest.raises(ConfigError, match=r"SANAD_INDEX_DIR \(.*index-file\) is a file"):
        create_app({**app_overrides, "index_dir": str(plain)})
    with pytest.raises(ConfigError, match=r"SANAD_INDEX_DIR .* lies under .*index-file"):
        create_app({**app_overrides, "index_dir": str(plain / "below")})


def test_the_ticket_of_issue_15_opens_quickly_for_the_agent(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    reference = open_ticket(client_for(requester), body="[](" * 6_666)
    staff = client_for(agent)
    started = time.process_time()  # CPU time: a busy machine's other work does not count
    page = staff.get(f"/agent/tickets/{reference}")
    assert page.status_code == 200
    assert time.process_time() - started < 5  # 30 s before the fix
    assert "[](" * 50 in text_of(page)


def test_a_ticket_heading_cannot_take_the_reply_box_id(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    requester, agent = make_account(), make_account("agent")
    reference = open_ticket(
        client_for(requester), body='# reply body\n\n<h2 id="reply-file">x</h2>'
    )
    page = text_of(client_for(agent).get(f"/agent/tickets/{reference}"))
    assert page.count('id="reply-body"') == 1  # the reply box's own
    assert page.count('id="reply-file"') == 1
    assert 'id="user-content-reply-body"' in page


def test_sanad_serve_with_an_index_path_that_is_a_file_exits_with_one_line(
    tmp_path: Path,
) -> None:
    plain = tmp_path / "index-file"
    plain.write_text("not a directory")
    env = {
        "SANAD_INDEX_DIR": str(plain),
        "SANAD_INSTANCE_DIR": str(tmp_path / "instance"),
        "SANAD_SECRET_KEY": "test-secret-key-test-secret-key",
        "SANAD_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}",
    }
    result = CliRunner().invoke(main, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: SANAD_INDEX_DIR ({plain}) is a file, not a directory"
    assert not (tmp_path / "never.db").exists()


def test_text_with_a_nul_is_refused_before_any_database_sees_it(database_url: str) -> None:
    """PostgreSQL refuses NUL in text (a DataError, a 500 where it reached it), SQLite stored
    it silently: both now refuse it before the statement is sent, and nothing is stored."""
    engine = make_engine(database_url)
    try:
        with pytest.raises(UnstorableText), engine.begin() as conn:
            conn.execute(
                sa_text("INSERT INTO ticket_counters (name, value) VALUES (:n, 1)"),
                {"n": "a\x00b"},
            )
        with pytest.raises(UnstorableText), engine.connect() as conn:
            conn.execute(sa_text("SELECT name FROM ticket_counters WHERE name = :n"), {"n": "\x00"})
        with engine.connect() as conn:
            left = conn.execute(
                sa_text("SELECT count(*) FROM ticket_counters WHERE name LIKE 'a%'")
            ).scalar_one()
            assert conn.execute(sa_text("SELECT :n"), {"n": "no nul"}).scalar_one() == "no nul"
        assert left == 0
    finally:
        engine.dispose()


NUL_REFUSED = "The text contains a NUL character, which cannot be stored. Remove it."


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/v1/tickets", {"subject": "VPN\u0000", "body": "Drops\u0000"}, 400),
        ("/api/v1/tickets/{ref}/replies", {"body": "a\u0000b"}, 400),
        (
            "/api/v1/drafts",
            {"title": "T", "markdown": "x\u0000", "category": "network", "lang": "en"},
            422,  # the draft service names the field itself
        ),
        ("/api/v1/articles/vpn-connect/feedback", {"helpful": False, "comment": "\u0000"}, 200),
    ],
)
def test_a_nul_in_a_json_field_is_a_clear_4xx_not_a_500(
    web: Flask,
    client_for: ClientFor,
    make_account: MakeAccount,
    path: str,
    body: dict[str, Any],
    status: int,
) -> None:
    """SQLite stored these NULs silently and PostgreSQL answered 500: now alike, 400 with the
    same message, and nothing stored."""
    client = client_for(make_account("author", "agent"))
    reference = open_ticket(client)
    response = client.post(path.format(ref=reference), json=body)
    assert response.status_code == status, response.get_json()
    if status == 400:
        assert response.get_json()["error"]["message"] == NUL_REFUSED
        assert client.get("/api/v1/tickets").get_json()["total"] == 1
        assert client.get(f"/api/v1/tickets/{reference}").get_json()["messages"] == []


def test_nul_characters_in_form_fields_are_dropped_and_the_rest_kept(
    web: Flask, client_for: ClientFor, make_account: MakeAccount
) -> None:
    """Every form at once: ``request.form`` arrives without NUL."""
    admin = client_for(make_account("admin"))
    made = admin.post(
        "/admin/teams",
        data={
            "key": "de\x00sk",
            "name_ar": "مك\x00تب",
            "name_en": "De\x00sk",
            "tier": "1",
            "assignment": "round_robin",
            "active": "y",
        },
    )
    assert made.status_code == 303
    page = text_of(admin.get("/admin/teams/desk"))
    assert 'value="مكتب"' in page
    assert 'value="Desk"' in page
