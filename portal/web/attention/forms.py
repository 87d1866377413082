"""The forms of the attention pages and of the article page's "Was this helpful?" box.

Field names are the ones the templates and static/js/feedback.js post. What a vote may hold
is the feedback service's rule (``InvalidVote``); the form only carries the values and the
CSRF token.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField


class ResolveForm(FlaskForm):  # type: ignore[misc]  # WTForms is untyped
    """ "Mark as handled": only the CSRF token travels."""


class VoteForm(FlaskForm):  # type: ignore[misc]
    """A vote: ``helpful`` is "yes" or "no" (the button pressed), ``reason`` optional text."""

    helpful = StringField()
    reason = TextAreaField()

    def choice(self) -> object:
        """True or False for yes or no; anything else as sent, for the service to refuse."""
        raw = self.helpful.data or ""
        return {"yes": True, "no": False}.get(raw, raw)


class RemoveLearnedForm(FlaskForm):  # type: ignore[misc]
    """ "Remove" a learned association: only the CSRF token travels."""
