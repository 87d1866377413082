"""A ticket's history as sentences in the reader's language.

The history is stored as structured rows (``portal.tickets.history.record_change``: action,
field, old and new value, note); this module turns each row into one sentence at display time
("Khalid changed the status from New to Open"), with every code shown by its label (status,
priority, channel, team, category, article title). A row this module does not know still
becomes a sentence, never a raw action name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape

from portal.tickets.values import HistoryEntry
from portal.web.labels import channel_name, priority_name, status_name, team_name

# What the system wrote as a note before notes became sentences (kept rows still read well).
_LEGACY_SYSTEM_NOTES = frozenset({"reopen window passed"})


@dataclass(frozen=True)
class HistoryLine:
    """One line of the history: when, the sentence (safe HTML), and the person's own words."""

    entry: HistoryEntry
    sentence: Markup
    note: str | None


def _isolated(text: object) -> Markup:
    """A value inside a sentence, isolated so a name in the other script keeps its order."""
    return Markup('<bdi class="history-value">%s</bdi>') % escape(str(text))


def say(template: LazyString, **values: Markup) -> Markup:
    """A translated sentence with its values filled in: the sentence is escaped as text and
    each value is already-escaped markup (``_isolated``)."""
    return escape(str(template)) % values


# The names the system signs its rows with (``sla``: the service-level job).
_SYSTEM_ACTORS = frozenset({"system", "sla"})


def _actor(entry: HistoryEntry) -> Markup:
    if entry.actor_id is None and entry.actor_name in _SYSTEM_ACTORS:
        return escape(str(_l("Sanad")))
    return _isolated(entry.actor_name)


def _sentence(
    entry: HistoryEntry,
    *,
    category_names: Mapping[str, str],
    article_titles: Mapping[str, str],
) -> Markup:
    """The sentence for ``entry`` with placeholders filled by isolated, escaped values."""
    actor = _actor(entry)
    old, new = entry.old_value, entry.new_value

    def value(label: Callable[[str | None], str], code: str | None) -> Markup:
        return _isolated(label(code) or "—")

    def article(article_id: str | None) -> Markup:
        return _isolated(article_titles.get(article_id or "", article_id or "—"))

    action, field = entry.action, entry.field
    if action == "opened":
        if new:
            return say(
                _l("%(actor)s opened the ticket (%(channel)s)"),
                actor=actor,
                channel=value(channel_name, new),
            )
        return say(_l("%(actor)s opened the ticket"), actor=actor)
    if action == "status" or field == "status":
        if entry.actor_id is None and entry.actor_name == "system" and new == "closed":
            return say(_l("The ticket closed by itself: the time to reopen it had passed"))
        if new == "resolved":
            return say(_l("%(actor)s resolved the ticket"), actor=actor)
        if old == "resolved" and new == "open":
            return say(_l("%(actor)s reopened the ticket"), actor=actor)
        if old == "resolved" and new == "closed":
            return say(_l("%(actor)s confirmed the ticket is solved"), actor=actor)
        return say(
            _l("%(actor)s changed the status from %(old)s to %(new)s"),
            actor=actor,
            old=value(status_name, old),
            new=value(status_name, new),
        )
    if action == "assign":
        if new is None:
            return say(
                _l("%(actor)s unassigned the ticket (it was with %(old)s)"),
                actor=actor,
                old=_isolated(old or "—"),
            )
        if new == entry.actor_name and entry.actor_id is not None:
            return say(_l("%(actor)s took the ticket"), actor=actor)
        return say(_l("%(actor)s assigned the ticket to %(new)s"), actor=actor, new=_isolated(new))
    if field == "priority":
        return say(
            _l("%(actor)s changed the priority from %(old)s to %(new)s"),
            actor=actor,
            old=value(priority_name, old),
            new=value(priority_name, new),
        )
    if field == "category":

        def category(code: str | None) -> str:
            return category_names.get(code or "", code or "")

        if not old:
            return say(
                _l("%(actor)s set the category to %(new)s"), actor=actor, new=value(category, new)
            )
        if not new:
            return say(
                _l("%(actor)s removed the category %(old)s"), actor=actor, old=value(category, old)
            )
        return say(
            _l("%(actor)s changed the category from %(old)s to %(new)s"),
            actor=actor,
            old=value(category, old),
            new=value(category, new),
        )
    if field == "tags":
        if not new:
            return say(_l("%(actor)s removed the tags"), actor=actor)
        return say(_l("%(actor)s set the tags to %(new)s"), actor=actor, new=_isolated(new))
    if field == "team":
        return say(
            _l("%(actor)s moved the ticket from %(old)s to %(new)s"),
            actor=actor,
            old=value(team_name, old),
            new=value(team_name, new),
        )
    if action == "escalate":
        return say(
            _l("%(actor)s escalated the ticket to tier %(tier)s"),
            actor=actor,
            tier=_isolated(new or "—"),
        )
    if action == "link_article":
        return say(
            _l("%(actor)s linked the article %(article)s"), actor=actor, article=article(new)
        )
    if action == "flag_article":
        return say(
            _l("%(actor)s flagged the article %(article)s for review"),
            actor=actor,
            article=article(new),
        )
    if action == "rate":
        return say(
            _l("%(actor)s rated the answer %(rating)s out of 5"),
            actor=actor,
            rating=_isolated(new or "—"),
        )
    if action == "attach":
        return say(_l("%(actor)s attached %(name)s"), actor=actor, name=_isolated(new or "—"))
    if action == "reply":
        return say(_l("%(actor)s replied to the requester"), actor=actor)
    if action == "note":
        return say(_l("%(actor)s added an internal note"), actor=actor)
    if action == "routed":
        if new:
            return say(
                _l("The rule %(rule)s routed the ticket: matched %(words)s"),
                rule=_isolated(entry.note or "—"),
                words=_isolated(new),
            )
        return say(_l("The rule %(rule)s routed the ticket"), rule=_isolated(entry.note or "—"))
    if action == "promoted":
        return say(_l("%(actor)s turned the ticket into a draft article"), actor=actor)
    return say(_l("%(actor)s changed the ticket"), actor=actor)


def history_lines(
    history: tuple[HistoryEntry, ...],
    *,
    category_names: Mapping[str, str],
    article_titles: Mapping[str, str],
) -> list[HistoryLine]:
    """Every row of ``history`` as a sentence, with the person's own note beside it."""
    lines = []
    for entry in history:
        sentence = _sentence(entry, category_names=category_names, article_titles=article_titles)
        note = entry.note
        if entry.actor_id is None and note in _LEGACY_SYSTEM_NOTES:
            note = None
        if entry.action == "routed":  # the note is the rule's name, already in the sentence
            note = None
        lines.append(HistoryLine(entry, sentence, note))
    return lines


def history_article_ids(history: tuple[HistoryEntry, ...]) -> set[str]:
    """The articles the history names, to look their titles up before rendering."""
    return {
        e.new_value for e in history if e.action in ("link_article", "flag_article") and e.new_value
    }
