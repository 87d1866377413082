"""The agents' forms: one class per action on the working page, the on-behalf ticket and the
canned responses. Like the requesters' forms (``portal.web.tickets.forms``) they check what a
browser could get wrong, every field at once; the tickets service owns the rules."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation

from portal.tickets.root_causes import RootCause
from portal.tickets.validation import MAX_BODY
from portal.tickets.values import TicketChanges
from portal.web.params import whole_number
from portal.web.tickets.forms import (
    ARTICLE_ID_CHARS,
    EMAIL,
    EMAIL_CHARS,
    MAX_ID,
    NAME_CHARS,
    REQUIRED,
    SHORT_TEXT_CHARS,
    SUBJECT_CHARS,
    TOO_LONG,
    WRITE_REASON,
    WholeNumber,
    _line,
    _text,
    number,
)

AGENT = _l("Choose an active agent of the ticket's team.")
STATUS = _l("Choose open, waiting or on hold.")
CHOOSE = _l("Choose one of the offered values.")
TAGS_CHARS = 1000


def _required(message: object = REQUIRED) -> DataRequired:
    return DataRequired(message=message)


def _max(chars: int) -> Length:
    return Length(max=chars, message=TOO_LONG)


class AssignForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """Empty means "unassigned"; anything else must be an agent's id."""

    assignee_id = StringField(filters=[_line(20)], validators=[WholeNumber(1, MAX_ID, AGENT)])

    def assignee(self) -> int | None:
        return number(self.assignee_id)


class UpdateForm(FlaskForm):  # type: ignore[misc]
    priority = StringField(filters=[_line(20)], validators=[Optional(), _max(20)])
    category = StringField(filters=[_line(100)], validators=[_max(100)])
    tags = StringField(filters=[_line(TAGS_CHARS)], validators=[_max(TAGS_CHARS)])

    def changes(self) -> TicketChanges:
        """The form as the service's TicketChanges: tags are comma separated (Arabic comma too)."""
        tags = (t.strip() for t in (self.tags.data or "").replace("،", ",").split(","))
        return TicketChanges(
            priority=self.priority.data or None,
            category=self.category.data or "",
            tags=tuple(t for t in tags if t),
        )


class StatusForm(FlaskForm):  # type: ignore[misc]
    status = StringField(filters=[_line(20)], validators=[_required(STATUS)])


class EscalateForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(
        filters=[_text], validators=[_required(WRITE_REASON), _max(SHORT_TEXT_CHARS)]
    )


class LinkForm(FlaskForm):  # type: ignore[misc]
    article_id = StringField(
        filters=[_line(ARTICLE_ID_CHARS)], validators=[_required(), _max(ARTICLE_ID_CHARS)]
    )


class ResolveForm(FlaskForm):  # type: ignore[misc]
    """The suggested and linked articles ticked, one typed id, and/or a resolution note."""

    article_ids = SelectMultipleField(validate_choice=False)
    article_id = StringField(filters=[_line(ARTICLE_ID_CHARS)], validators=[_max(ARTICLE_ID_CHARS)])
    note = TextAreaField(filters=[_text], validators=[_max(MAX_BODY)])
    # Required by the service when the ticket missed its service level.
    root_cause_code = StringField(filters=[_line(40)], validators=[_max(40)])
    root_cause_note = TextAreaField(filters=[_text], validators=[_max(4000)])

    def root_cause(self) -> RootCause | None:
        if not (self.root_cause_code.data or self.root_cause_note.data):
            return None
        return RootCause(note=self.root_cause_note.data, code=self.root_cause_code.data or None)

    def articles(self, typed: Callable[[str], str] = str) -> list[str]:
        """Every article named, ticked or typed (``typed`` turns a typed title into its id);
        boxes sent empty are no choice."""
        chosen = [a for a in (self.article_ids.data or ()) if a.strip()]
        if self.article_id.data:
            chosen.append(typed(self.article_id.data))
        return list(dict.fromkeys(chosen))


class FlagForm(FlaskForm):  # type: ignore[misc]
    article_id = StringField(
        filters=[_line(ARTICLE_ID_CHARS)], validators=[_required(), _max(ARTICLE_ID_CHARS)]
    )
    reason = TextAreaField(
        filters=[_text], validators=[_required(WRITE_REASON), _max(SHORT_TEXT_CHARS)]
    )


class OnBehalfForm(FlaskForm):  # type: ignore[misc]
    """A ticket for a caller: their address, or their name when they have no account."""

    requester_email = StringField(
        filters=[_line(EMAIL_CHARS)],
        validators=[
            _required(EMAIL),
            _max(EMAIL_CHARS),
            Email(EMAIL, check_deliverability=False),
        ],
    )
    visitor_name = StringField(filters=[_line(NAME_CHARS)], validators=[_max(NAME_CHARS)])
    subject = StringField(
        filters=[_line(SUBJECT_CHARS)], validators=[_required(), _max(SUBJECT_CHARS)]
    )
    body = TextAreaField(filters=[_text], validators=[_required(), _max(MAX_BODY)])
    category = StringField(filters=[_line(100)], validators=[_max(100)])
    priority = StringField(
        filters=[_line(20)], default="normal", validators=[_required(CHOOSE), _max(20)]
    )
    channel = StringField(filters=[_line(20)], validators=[_required(CHOOSE), _max(20)])
    lang = StringField(filters=[_line(5)], default="ar", validators=[_required(CHOOSE)])

    def values(self) -> dict[str, str]:
        return {name: field.data or "" for name, field in self._fields.items()}


class CannedForm(FlaskForm):  # type: ignore[misc]
    """A new canned response, or an edit of response ``id``."""

    id = HiddenField(filters=[_line(20)], validators=[WholeNumber(1, MAX_ID, CHOOSE)])
    title = StringField(
        filters=[_line(SUBJECT_CHARS)], validators=[_required(), _max(SUBJECT_CHARS)]
    )
    body = TextAreaField(filters=[_text], validators=[_required(), _max(MAX_BODY)])
    lang = StringField(filters=[_line(5)], validators=[_required(CHOOSE)])

    def response_id(self) -> int | None:
        return number(self.id)

    def values(self) -> dict[str, str]:
        return {name: field.data or "" for name, field in self._fields.items()}


VIEW_NAME_CHARS = 80
QUEUE_QUERY_CHARS = 2000


class SavedViewForm(FlaskForm):  # type: ignore[misc]
    """Save the queue's current filters and sort (``params``, a query string) under a name."""

    name = StringField(
        filters=[_line(VIEW_NAME_CHARS)],
        validators=[_required(_l("Give the view a name.")), _max(VIEW_NAME_CHARS)],
    )
    params = HiddenField(filters=[_line(QUEUE_QUERY_CHARS)])


class BulkForm(FlaskForm):  # type: ignore[misc]
    """The ticked tickets of the queue and what to do with them (``action``: the button)."""

    references = SelectMultipleField(validate_choice=False)
    action = StringField(filters=[_line(20)], validators=[_required(CHOOSE)])
    # An agent's id, empty (back to the team's queue), or "team:<key>" (to that team's queue).
    assignee_id = StringField(filters=[_line(80)], validators=[_max(80)])
    note = TextAreaField(filters=[_text], validators=[_max(MAX_BODY)])
    back = HiddenField(filters=[_line(QUEUE_QUERY_CHARS)])

    def team(self) -> str | None:
        value = self.assignee_id.data or ""
        return value.removeprefix("team:") if value.startswith("team:") else None

    def validate_assignee_id(self, field: object) -> None:
        value = self.assignee_id.data or ""
        if value and not value.startswith("team:") and whole_number(value, 1, MAX_ID) is None:
            raise StopValidation(str(AGENT))

    def assignee(self) -> int | None:
        return None if self.team() is not None else number(self.assignee_id)
