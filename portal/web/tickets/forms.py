"""The ticket forms of requesters and agents, one class per POST action.

Fields check only what a browser could get wrong (a missing or too long text, an e-mail
address without an @, a number that is not one), all at once, and keep what was typed; the
tickets service owns the rules and its refusal is attached to the same field. Field names are
the ones the templates (and the browser tests) have always posted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    Field,
    HiddenField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, StopValidation

from portal.tickets.validation import MAX_BODY
from portal.web.forms import clean_text
from portal.web.params import whole_number

REQUIRED = _l("This field is required.")
TOO_LONG = _l("This text is too long.")
EMAIL = _l("Enter a valid e-mail address, like name@example.com.")
WRITE_MESSAGE = _l("Write a message before sending.")
WRITE_REASON = _l("Write a reason.")
RATING = _l("Choose a rating from 1 to 5.")
SUBJECT_CHARS = 200
NAME_CHARS = 200
EMAIL_CHARS = 320
ARTICLE_ID_CHARS = 200
SHORT_TEXT_CHARS = 2000  # a rating comment, a flag's reason
MAX_ID = 2**31 - 1


def _line(limit: int) -> Callable[[Any], str]:
    """One line of text: control characters gone and whitespace collapsed, but never cut, so
    a text that is too long is shown back with an error instead of silently shortened."""

    def clean(value: Any) -> str:
        return clean_text(value if isinstance(value, str) else "", limit * 4)

    return clean


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _required(message: object = REQUIRED) -> DataRequired:
    return DataRequired(message=message)


def _max(chars: int) -> Length:
    return Length(max=chars, message=TOO_LONG)


class WholeNumber:
    """A number from ``low`` to ``high`` in ASCII digits (``portal.web.params``), or empty."""

    def __init__(self, low: int, high: int, message: object) -> None:
        self.low, self.high, self.message = low, high, message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if field.data and whole_number(field.data, self.low, self.high) is None:
            raise StopValidation(str(self.message))


def number(field: Field) -> int | None:
    """The value of a field checked by ``WholeNumber``; None when it was left empty."""
    return whole_number(field.data, 0, 2**63)


def field_errors(form: FlaskForm) -> dict[str, str]:
    """The first error of every refused field, by field name, for the template's markers."""
    return {
        name: str(errors[0])
        for name, errors in form.errors.items()
        if errors and isinstance(errors, list | tuple)
    }


def error_list(form: FlaskForm) -> list[str]:
    """Every refused field's first error, in the form's order, for flashing all at once."""
    return list(dict.fromkeys(field_errors(form).values()))


class ActionForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    """A button that changes state (confirm, claim, delete): only the CSRF token travels."""


# --- requesters -------------------------------------------------------------------------


class NewTicketForm(FlaskForm):  # type: ignore[misc]
    """ "Still need help?": the request, what was tried (pruned), and a visitor's address."""

    subject = StringField(
        filters=[_line(SUBJECT_CHARS)], validators=[_required(), _max(SUBJECT_CHARS)]
    )
    body = TextAreaField(filters=[_text], validators=[_required(), _max(MAX_BODY)])
    category = StringField(filters=[_line(100)], validators=[Optional(), _max(100)])
    impact = StringField(filters=[_line(20)], validators=[Optional(), _max(20)])
    visitor_name = StringField(filters=[_line(NAME_CHARS)], validators=[_max(NAME_CHARS)])
    visitor_email = StringField(
        filters=[_line(EMAIL_CHARS)],
        validators=[Optional(), _max(EMAIL_CHARS), Email(EMAIL, check_deliverability=False)],
    )
    views = SelectMultipleField(validate_choice=False)
    searches = SelectMultipleField(validate_choice=False)
    files = MultipleFileField()

    def uploads(self) -> tuple[tuple[str, bytes], ...]:
        """The chosen files as (name, bytes); none when nothing was chosen."""
        chosen = []
        for file in self.files.data or ():
            if file is None or not getattr(file, "filename", None):
                continue
            file.seek(0)
            chosen.append((str(file.filename), bytes(file.read())))
        return tuple(chosen)

    def validate_for(self, *, visitor: bool) -> bool:
        """Every field's check at once; a visitor also needs a name and an e-mail address."""
        ok = bool(self.validate())
        if visitor:
            if not self.visitor_name.data:
                self.visitor_name.errors = [*self.visitor_name.errors, str(_l("Enter your name."))]
                ok = False
            if not self.visitor_email.data:
                self.visitor_email.errors = [*self.visitor_email.errors, str(EMAIL)]
                ok = False
        return ok

    def values(self) -> dict[str, Any]:
        """What the template shows back (and the service gets)."""
        return {
            "subject": self.subject.data or "",
            "body": self.body.data or "",
            "category": self.category.data or "",
            "impact": self.impact.data or "me",
            "visitor_name": self.visitor_name.data or "",
            "visitor_email": self.visitor_email.data or "",
            "views": set(self.views.data or ()),
            "searches": set(self.searches.data or ()),
        }


class ReplyForm(FlaskForm):  # type: ignore[misc]
    """A reply, a file, or both; staff choose reply or internal note with the button."""

    body = TextAreaField(filters=[_text], validators=[_max(MAX_BODY)])
    file = FileField()
    internal = HiddenField()

    def _chosen(self) -> Any:
        file = self.file.data
        return file if file is not None and getattr(file, "filename", None) else None

    def upload(self) -> tuple[str, bytes] | None:
        """The chosen file as (name, bytes), or None when none was chosen."""
        file = self._chosen()
        if file is None:
            return None
        file.seek(0)
        return str(file.filename), bytes(file.read())

    def validate_body(self, field: Field) -> None:
        """A reply needs a text unless it carries a file."""
        if not field.data and self._chosen() is None:
            raise StopValidation(str(WRITE_MESSAGE))

    @property
    def is_note(self) -> bool:
        """Staff pressed "Add internal note" (the button posts internal=1)."""
        return bool(self.internal.data == "1")


class ReopenForm(FlaskForm):  # type: ignore[misc]
    """ "Still not solved": the form asks what is still wrong, so the reason is required."""

    reason = TextAreaField(filters=[_text], validators=[_required(WRITE_REASON), _max(MAX_BODY)])


class VisitorLinkForm(FlaskForm):  # type: ignore[misc]
    """ "Send me a new link": the reference and the address the request was sent from."""

    reference = StringField(filters=[_line(20)], validators=[_required(), _max(20)])
    email = StringField(
        filters=[_line(EMAIL_CHARS)],
        validators=[_required(EMAIL), _max(EMAIL_CHARS), Email(EMAIL, check_deliverability=False)],
    )


class RateForm(FlaskForm):  # type: ignore[misc]
    rating = StringField(validators=[_required(RATING), WholeNumber(1, 5, RATING)])
    comment = TextAreaField(filters=[_text], validators=[_max(SHORT_TEXT_CHARS)])
