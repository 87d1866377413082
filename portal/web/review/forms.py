"""The editor's forms: front matter as fields, the body as Markdown, the base version hidden.

Fields check only what a browser could get wrong; the workflow service owns the article rules
and its ``InvalidDraft`` errors are attached to the same fields. A workshop's extra front
matter is edited as rows (schedule, modules) and one-item-per-line lists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, Regexp

from portal.kb.models import AUDIENCES, KINDS, LANGS
from portal.kb.workflow import DraftInput
from portal.web.labels import LANGUAGE_NAMES, kind_name
from portal.web.params import whole_number

REQUIRED = _l("This field is required.")
TITLE_MAX = 300
BODY_MAX = 200_000
COMMENT_MAX = 5_000
SCHEDULE_ROWS = 2  # empty rows offered after the filled ones, so pages work without JS
MODULE_ROWS = 3
# The workshop fields this form manages inside DraftInput.extra; other extra keys are kept.
WORKSHOP_KEYS = ("schedule", "audience_note", "prerequisites", "materials", "modules")
OFFSET = r"^[+-](0\d|1[0-4]):[0-5]\d$"


def _lines(value: str | None) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ScheduleRow(Form):  # type: ignore[misc]  # WTForms is untyped
    """One session of a workshop; a row left empty is ignored."""

    date = DateField(_l("Date"), validators=[Optional()])
    time = StringField(
        _l("Start time"),
        validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message=_l("Use HH:MM."))],
        render_kw={"type": "time", "dir": "ltr"},
    )
    offset = StringField(
        _l("UTC offset"),
        default="+03:00",
        validators=[Optional(), Regexp(OFFSET, message=_l("Use +HH:MM, e.g. +03:00."))],
        render_kw={"dir": "ltr", "size": 6},
    )
    duration_minutes = IntegerField(
        _l("Minutes"),
        validators=[Optional(), NumberRange(min=1, max=24 * 60)],
        render_kw={"inputmode": "numeric", "dir": "ltr"},
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    online_url = StringField(
        _l("Online link"),
        validators=[Optional(), URL(message=_l("Give a full address starting with https://."))],
        render_kw={"dir": "ltr", "type": "url"},
    )

    def is_empty(self) -> bool:
        return not any(
            (self.date.data, self.time.data, self.duration_minutes.data, self.place.data,
             self.online_url.data)
        )  # fmt: skip

    def value(self) -> dict[str, Any]:
        start = dt.datetime.combine(
            self.date.data, dt.time.fromisoformat(self.time.data or "00:00")
        ).isoformat(timespec="seconds") + (self.offset.data or "+03:00")
        row: dict[str, Any] = {"start": start}
        if self.duration_minutes.data:
            row["duration_minutes"] = int(self.duration_minutes.data)
        if self.place.data:
            row["place"] = self.place.data.strip()
        if self.online_url.data:
            row["online_url"] = self.online_url.data.strip()
        return row


class ModuleRow(Form):  # type: ignore[misc]
    title = StringField(_l("Module"), validators=[Optional(), Length(max=200)])
    minutes = IntegerField(
        _l("Minutes"),
        validators=[Optional(), NumberRange(min=1, max=24 * 60)],
        render_kw={"inputmode": "numeric", "dir": "ltr"},
    )

    def is_empty(self) -> bool:
        return not (self.title.data or self.minutes.data)


class DraftForm(FlaskForm):  # type: ignore[misc]
    # Where the edit started: the article (empty for a new one) and the version loaded.
    article_id = HiddenField()
    base = HiddenField()
    # The "Save and send for review" button posts then=submit.
    then = HiddenField()
    title = StringField(
        _l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=TITLE_MAX)]
    )
    description = TextAreaField(
        _l("Summary"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2}
    )
    lang = SelectField(
        _l("Language"), choices=[SelectChoice(lang, LANGUAGE_NAMES[lang]) for lang in LANGS]
    )
    kind = SelectField(_l("Type"), choices=[])
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    audience = SelectField(
        _l("Audience"),
        choices=[
            SelectChoice("public", _l("Everyone")),
            SelectChoice("internal", _l("Staff only")),
        ],
    )
    tags = StringField(
        _l("Tags"),
        validators=[Optional(), Length(max=500)],
        description=_l("Separate tags with commas."),
    )
    owner = StringField(_l("Owner"), validators=[Optional(), Length(max=100)])
    review_by = DateField(_l("Review by"), validators=[Optional()])
    translation_of = StringField(
        _l("Translation of (article id)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"dir": "ltr"},
    )
    markdown = TextAreaField(
        _l("Text (Markdown)"),
        validators=[DataRequired(message=REQUIRED), Length(max=BODY_MAX)],
        render_kw={"rows": 22, "spellcheck": "true"},
    )
    # Workshop guides only.
    audience_note = TextAreaField(
        _l("Who is it for"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 3}
    )
    prerequisites = TextAreaField(
        _l("Prerequisites"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line."),
        render_kw={"rows": 4},
    )
    materials = TextAreaField(
        _l("Materials"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One per line."),
        render_kw={"rows": 4},
    )
    schedule = FieldList(FormField(ScheduleRow), min_entries=0, max_entries=50)
    modules = FieldList(FormField(ModuleRow), min_entries=0, max_entries=50)

    def setup(self, kinds: Iterable[str], categories: Mapping[str, str]) -> None:
        """Choices that depend on the person (a trainer writes workshops only) and the site."""
        self.kind.choices = [SelectChoice(kind, kind_name(kind)) for kind in kinds]
        options = dict(categories)
        current = self.category.data
        if current and current not in options:
            options[current] = current
        self.category.choices = [SelectChoice(k, v) for k, v in options.items()]

    def pad_rows(self) -> None:
        """Offer a few empty rows after the filled ones (no JS needed to add one)."""
        while len(self.schedule.entries) < len(self._filled(self.schedule)) + SCHEDULE_ROWS:
            self.schedule.append_entry()
        while len(self.modules.entries) < len(self._filled(self.modules)) + MODULE_ROWS:
            self.modules.append_entry()

    @staticmethod
    def _filled(rows: FieldList) -> list[Any]:
        return [row for row in rows if not row.form.is_empty()]

    def validate_rows(self) -> bool:
        """A schedule row needs a date and a start time once anything in it is filled."""
        ok = True
        for row in self._filled(self.schedule):
            for name in ("date", "time"):
                field = getattr(row.form, name)
                if not field.data and not field.errors:
                    field.errors = [*field.errors, str(REQUIRED)]
                    ok = False
        for row in self._filled(self.modules):
            if not row.form.title.data:
                row.form.title.errors = [*row.form.title.errors, str(REQUIRED)]
                ok = False
        return ok

    def fill(self, data: DraftInput) -> None:
        """Put a draft's (or the live article's) fields into the form."""
        self.title.data = data.title
        self.description.data = data.description or ""
        self.lang.data = data.lang
        self.kind.data = data.kind
        self.category.data = data.category
        self.audience.data = data.audience
        self.tags.data = ", ".join(data.tags)
        self.owner.data = data.owner or ""
        self.review_by.data = data.review_by
        self.translation_of.data = data.translation_of or ""
        self.markdown.data = data.markdown
        extra = data.extra
        self.audience_note.data = str(extra.get("audience_note") or "")
        self.prerequisites.data = "\n".join(str(i) for i in _list(extra.get("prerequisites")))
        self.materials.data = "\n".join(str(i) for i in _list(extra.get("materials")))
        while self.schedule.entries:
            self.schedule.pop_entry()
        for item in _list(extra.get("schedule")):
            if isinstance(item, Mapping):
                self.schedule.append_entry(_schedule_row(item))
        while self.modules.entries:
            self.modules.pop_entry()
        for item in _list(extra.get("modules")):
            if isinstance(item, Mapping):
                self.modules.append_entry(
                    {"title": str(item.get("title") or ""), "minutes": _int(item.get("minutes"))}
                )

    def to_input(self, kept_extra: Mapping[str, Any]) -> DraftInput:
        """The form as the workflow's DraftInput; extra front matter it does not edit is kept."""
        extra = {k: v for k, v in kept_extra.items() if k not in WORKSHOP_KEYS}
        if self.kind.data == "workshop":
            extra.update(self.workshop_extra())
        tags = tuple(t.strip() for t in (self.tags.data or "").replace("،", ",").split(","))
        return DraftInput(
            title=(self.title.data or "").strip(),
            markdown=(self.markdown.data or "").replace("\r\n", "\n"),
            lang=self.lang.data,
            category=self.category.data or "general",
            tags=tuple(t for t in tags if t),
            kind=self.kind.data or "article",
            audience=self.audience.data if self.audience.data in AUDIENCES else "public",
            owner=(self.owner.data or "").strip() or None,
            review_by=self.review_by.data,
            translation_of=(self.translation_of.data or "").strip() or None,
            description=(self.description.data or "").strip() or None,
            extra=extra,
        )

    def workshop_extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        schedule = [row.form.value() for row in self._filled(self.schedule)]
        if schedule:
            extra["schedule"] = schedule
        if (self.audience_note.data or "").strip():
            extra["audience_note"] = self.audience_note.data.strip()
        for name in ("prerequisites", "materials"):
            items = _lines(getattr(self, name).data)
            if items:
                extra[name] = items
        modules = []
        for row in self._filled(self.modules):
            module: dict[str, Any] = {"title": row.form.title.data.strip()}
            if row.form.minutes.data:
                module["minutes"] = int(row.form.minutes.data)
            modules.append(module)
        if modules:
            extra["modules"] = modules
        return extra


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _int(value: Any) -> int | None:
    """A front-matter number (YAML gives ints, or text when quoted) for an IntegerField."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return whole_number(value, 0, 10**6) if isinstance(value, str) else None


def _schedule_row(item: Mapping[str, Any]) -> dict[str, Any]:
    start = item.get("start")
    when: dt.datetime | None = None
    if isinstance(start, dt.datetime):
        when = start
    elif isinstance(start, str):
        try:
            when = dt.datetime.fromisoformat(start)
        except ValueError:
            when = None
    offset = "+03:00"
    if when is not None and when.utcoffset() is not None:
        minutes = int(when.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
        sign = "+" if minutes >= 0 else "-"
        offset = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return {
        "date": when.date() if when else None,
        "time": when.strftime("%H:%M") if when else "",
        "offset": offset,
        "duration_minutes": _int(item.get("duration_minutes")),
        "place": str(item.get("place") or ""),
        "online_url": str(item.get("online_url") or ""),
    }


class CommentForm(FlaskForm):  # type: ignore[misc]
    """ "Request changes": the reviewer says what to change."""

    comment = TextAreaField(
        _l("What should change?"),
        validators=[DataRequired(message=REQUIRED), Length(max=COMMENT_MAX)],
        render_kw={"rows": 4},
    )


class ActionForm(FlaskForm):  # type: ignore[misc]
    """A button that changes state: only the CSRF token travels."""


class ApproveForm(FlaskForm):  # type: ignore[misc]
    """Approve: the version the reviewer read travels along, so a later change is refused."""

    base = HiddenField(validators=[Optional(), Regexp(r"^[0-9a-f]{40}([0-9a-f]{24})?$")])


class RestoreForm(FlaskForm):  # type: ignore[misc]
    commit = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{40}$")])


class ArchiveForm(FlaskForm):  # type: ignore[misc]
    """Archive a live article: its published version travels along, like an edit's base."""

    base = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{40}$")])


class PreviewForm(FlaskForm):  # type: ignore[misc]
    markdown = TextAreaField(validators=[Optional(), Length(max=BODY_MAX)])


__all__ = [
    "KINDS",
    "ActionForm",
    "ArchiveForm",
    "CommentForm",
    "DraftForm",
    "PreviewForm",
    "RestoreForm",
]
