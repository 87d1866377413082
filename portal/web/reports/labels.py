"""Translated names of the reports' column keys and coded values, for the dashboards (the JSON
API and the CSV keep the keys)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.web.labels import CHANNEL_NAMES, PRIORITY_NAMES

COLUMNS: dict[str, LazyString] = {
    "period": _l("Period"),
    "tickets": _l("Tickets"),
    "category": _l("Category"),
    "channel": _l("Channel"),
    "priority": _l("Priority"),
    "team": _l("Team"),
    "age": _l("Age"),
    "responded": _l("Responded"),
    "first_response_median_minutes": _l("First response, median (working minutes)"),
    "first_response_p90_minutes": _l("First response, 90th percentile (working minutes)"),
    "resolved": _l("Resolved"),
    "resolution_median_minutes": _l("Resolution, median (working minutes)"),
    "resolution_p90_minutes": _l("Resolution, 90th percentile (working minutes)"),
    "target": _l("Target"),
    "met": _l("Met"),
    "breached": _l("Breached"),
    "pending": _l("Pending"),
    "compliance_percent": _l("Compliance %"),
    "root_cause": _l("Root cause"),
    "label_en": _l("English label"),
    "label_ar": _l("Arabic label"),
    "measure": _l("Measure"),
    "count": _l("Count"),
    "of": _l("Of"),
    "percent": _l("%"),
    "tier": _l("Tier"),
    "reached": _l("Reached"),
    "escalated": _l("Escalated"),
    "reference": _l("Ticket"),
    "subject": _l("Subject"),
    "answering_articles": _l("Answering articles"),
    "read_before_opening": _l("Read before opening"),
    "rating": _l("Rating"),
    "comment": _l("Comment"),
    "rated_at": _l("Rated at"),
    "agent_id": _l("Agent number"),
    "agent": _l("Agent"),
    "assigned": _l("Assigned"),
    "open": _l("Open"),
    "average_rating": _l("Average rating"),
    "ratings": _l("Ratings"),
    "reopened": _l("Reopened"),
    "query": _l("Query"),
    "group": _l("Normalised form"),
    "searches": _l("Searches"),
    "no_results": _l("Without results"),
    "followed_by_ticket": _l("Followed by a ticket"),
    "first_half": _l("First half"),
    "second_half": _l("Second half"),
    "trend": _l("Trend"),
    "stage": _l("Stage"),
    "searched": _l("Searched"),
    "viewed": _l("Viewed"),
    "helpful": _l("Helpful"),
    "deflected": _l("Deflected"),
    "ticket": _l("Ticket"),
    "article": _l("Article"),
    "views": _l("Views"),
    "votes": _l("Votes"),
    "unhelpful": _l("Not helpful"),
    "helpful_percent": _l("Helpful %"),
    "lang": _l("Language"),
    "reason": _l("Reason"),
    "open_agent_flags": _l("Open flags from agents"),
    "attention": _l("Other attention"),
}

VALUES: dict[str, dict[str, LazyString]] = {
    "measure": {
        "resolution": _l("Resolution rate"),
        "first_contact_resolution": _l("First-contact resolution"),
        "reopen": _l("Reopen rate"),
        "escalation": _l("Escalation rate"),
        "avoidable_escalation": _l("Avoidable escalations"),
    },
    "stage": {
        "searched": _l("Searched"),
        "viewed": _l("Viewed an article"),
        "helpful": _l("Rated it helpful"),
        "deflected": _l("No ticket (deflected)"),
        "ticket": _l("Opened a ticket"),
    },
    "trend": {"up": _l("Rising"), "down": _l("Falling"), "flat": _l("Steady")},
    "target": {"first_response": _l("First response"), "resolution": _l("Resolution")},
    "priority": {"all": _l("All priorities"), **PRIORITY_NAMES},
    "channel": dict(CHANNEL_NAMES),
}


def column_name(key: str) -> str:
    return str(COLUMNS.get(key, key))


def value_name(column: str, value: object) -> str:
    """The display text of a coded cell (a stage, a trend...); other cells as they are."""
    names = VALUES.get(column)
    if names is not None and isinstance(value, str) and value in names:
        return str(names[value])
    return "" if value is None else str(value)
