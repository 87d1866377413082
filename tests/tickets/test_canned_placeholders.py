"""Canned replies: placeholders filled for the ticket, unknown ones left as written."""

from portal.tickets.canned_responses import fill_placeholders

VALUES = {"requester_name": "Khalid", "reference": "HD-000123", "agent_name": "Sara"}


def test_known_placeholders_are_filled() -> None:
    body = "Hello {requester_name}, ticket {reference}. {agent_name}"
    assert fill_placeholders(body, VALUES) == "Hello Khalid, ticket HD-000123. Sara"


def test_arabic_aliases_are_filled() -> None:
    assert fill_placeholders("مرحبًا {اسم_مقدم_الطلب} ({رقم_التذكرة})", VALUES) == (
        "مرحبًا Khalid (HD-000123)"
    )


def test_unknown_or_empty_placeholders_stay_as_written() -> None:
    assert fill_placeholders("{order_id} {agent_name}", {"agent_name": ""}) == (
        "{order_id} {agent_name}"
    )
