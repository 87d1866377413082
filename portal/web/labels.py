"""Translated display names for the fixed vocabularies (article kinds, languages, ticket
statuses, priorities, channels) and the team names from the team records: codes never reach a
page as they are stored."""

from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.accounts.teams import TeamLabels, label, team_labels
from portal.db import reading
from portal.web.context import services, ui_lang

KIND_NAMES: dict[str, LazyString] = {
    "article": _l("Article"),
    "faq": _l("FAQ"),
    "troubleshooting": _l("Troubleshooting"),
    "workshop": _l("Workshop"),
}

# Each language is named in itself, as language switches conventionally do.
LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}

STATUS_NAMES: dict[str, LazyString] = {
    "new": _l("New"),
    "open": _l("Open"),
    "pending": _l("Waiting for you"),
    "on_hold": _l("On hold"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}

PRIORITY_NAMES: dict[str, LazyString] = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}

CHANNEL_NAMES: dict[str, LazyString] = {
    "web": _l("Web"),
    "email": _l("E-mail"),
    "phone": _l("Phone"),
    "chat": _l("Chat"),
    "walk_in": _l("Walk-in"),
    "remote": _l("Remote session"),
}


def _name(names: dict[str, LazyString], code: str | None) -> str:
    if code is None:
        return ""
    return str(names[code]) if code in names else code


def kind_name(kind: str) -> str:
    """The translated name of an article kind (unknown kinds are shown as they are)."""
    return _name(KIND_NAMES, kind)


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def status_name(status: str | None) -> str:
    return _name(STATUS_NAMES, status)


def priority_name(priority: str | None) -> str:
    return _name(PRIORITY_NAMES, priority)


def channel_name(channel: str | None) -> str:
    return _name(CHANNEL_NAMES, channel)


def team_labels_now() -> TeamLabels:
    """The team records' names, read once per request (an admin's rename shows on the next
    page)."""
    cached: TeamLabels | None = g.get("sanad_team_labels")
    if cached is None:
        with reading(services().sessions) as session:
            cached = team_labels(session)
        g.sanad_team_labels = cached
    return cached


def team_name(team: str | None) -> str:
    """The team's name in the reader's language, from its record (a deleted team: its key)."""
    if not team:
        return ""
    return label(team_labels_now(), team, ui_lang())


def team_options(current: str | None = None) -> list[tuple[str, str]]:
    """(key, name in the reader's language) of every team record, by name, for a team menu;
    ``current`` (a key a form already holds) is kept even without a record."""
    labels = team_labels_now()
    lang = ui_lang()
    options = sorted(((k, label(labels, k, lang)) for k in labels), key=lambda o: o[1])
    if current and current not in labels:
        options.append((current, current))
    return options
