"""GET /api/v1/reports/<name>: staff only, JSON or CSV, bad filters answer 400."""

from __future__ import annotations

from tests.web.conftest import ClientFor, MakeAccount


def test_reports_are_for_staff(client_for: ClientFor, make_account: MakeAccount) -> None:
    assert client_for(None).get("/api/v1/reports/volume").status_code == 401
    requester = client_for(make_account("requester"))
    assert requester.get("/api/v1/reports/volume").status_code == 403
    admin = client_for(make_account("admin"))
    answer = admin.get("/api/v1/reports/volume?from=2026-01-01&to=2026-01-31")
    assert answer.status_code == 200
    assert answer.get_json()["report"] == "volume"
    assert admin.get("/api/v1/reports/nothing").status_code == 404


def test_bad_filters_and_csv(client_for: ClientFor, make_account: MakeAccount) -> None:
    admin = client_for(make_account("admin"))
    bad = admin.get("/api/v1/reports/csat?priority=mega")
    assert bad.status_code == 400
    assert "priority" in bad.get_data(as_text=True)
    csv = admin.get("/api/v1/reports/csat.csv?table=distribution")
    assert csv.status_code == 200
    assert csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines()[0] == "rating,tickets,percent"
    same = admin.get("/api/v1/reports/csat?format=csv&table=distribution")
    assert same.get_data() == csv.get_data()
