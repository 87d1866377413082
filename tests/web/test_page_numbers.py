"""Odd page numbers on every paginated page and API list: a page or a 400, never a 500.

Superscript and Arabic-Indic digits pass ``str.isdigit`` yet ``int()`` refuses some of them,
and a number wider than the database's integers must not reach a query.
"""

from __future__ import annotations

import pytest

from tests.support.web import ClientFor, MakeAccount

ODD_PAGES = ("⁰⁴⁵", "٣", "99999999999999999999", "²", "-1", "1.5", " 2 ")

# (role that may open it, path, what a refused number gets): pages forgive, the API says 400.
PAGINATED = (
    (None, "/search?q=vpn", 200),
    (None, "/kb/category/accounts", 200),
    ("requester", "/tickets", 200),
    ("agent", "/agent", 200),
    ("admin", "/admin/users", 200),
    ("knowledge_manager", "/attention/feedback", 200),
    (None, "/api/v1/search?q=vpn", 400),
    (None, "/api/v1/articles", 400),
    ("requester", "/api/v1/tickets", 400),
)


@pytest.mark.parametrize(("role", "path", "refused"), PAGINATED)
def test_odd_page_numbers_are_a_page_or_a_400(
    client_for: ClientFor, make_account: MakeAccount, role: str | None, path: str, refused: int
) -> None:
    client = client_for(make_account(role) if role else None)
    path, _, query = path.partition("?")
    args = dict([query.split("=")]) if query else {}
    assert client.get(path, query_string=args).status_code == 200, path  # the door is open
    for page in ODD_PAGES:
        response = client.get(path, query_string={**args, "page": page})
        wanted = (200,) if page == " 2 " else (refused,)
        assert response.status_code in wanted, (path, page, response.status_code)
