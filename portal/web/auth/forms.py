"""The account forms. Fields only check what a browser could get wrong; the services own the
rules (password policy, e-mail syntax), and their errors are attached to the same fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.accounts.models import LANGS, ROLES, TIERS
from portal.web.auth.messages import ROLE_NAMES
from portal.web.labels import LANGUAGE_NAMES

REQUIRED = _l("This field is required.")
EMAIL_MAX = 320
LANG_CHOICES = [SelectChoice(lang, LANGUAGE_NAMES[lang]) for lang in LANGS]


def _email(label: object = None) -> StringField:
    return StringField(
        label or _l("E-mail address"),
        validators=[DataRequired(message=REQUIRED), Length(max=EMAIL_MAX)],
        render_kw={
            "autocomplete": "email",
            "inputmode": "email",
            "dir": "ltr",
            "spellcheck": "false",
        },
    )


def _password(label: object, autocomplete: str) -> PasswordField:
    # No Length(max): the policy says how long may be, in the person's language.
    return PasswordField(
        label,
        validators=[InputRequired(message=REQUIRED)],
        render_kw={"autocomplete": autocomplete, "dir": "ltr"},
    )


def _name() -> StringField:
    return StringField(
        _l("Name"),
        validators=[DataRequired(message=REQUIRED)],
        render_kw={"autocomplete": "name"},
    )


class LoginForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    email = _email()
    password = _password(_l("Password"), "current-password")
    next = HiddenField()


class RegisterForm(FlaskForm):  # type: ignore[misc]
    name = _name()
    email = _email()
    password = _password(_l("Password"), "new-password")
    lang = RadioField(_l("Language"), choices=LANG_CHOICES, default="ar")


class ProfileForm(FlaskForm):  # type: ignore[misc]
    name = _name()
    lang = RadioField(_l("Language of the interface and of e-mails"), choices=LANG_CHOICES)


class PasswordChangeForm(FlaskForm):  # type: ignore[misc]
    current_password = _password(_l("Current password"), "current-password")
    new_password = _password(_l("New password"), "new-password")


class ForgotForm(FlaskForm):  # type: ignore[misc]
    email = _email()


class ResetForm(FlaskForm):  # type: ignore[misc]
    password = _password(_l("New password"), "new-password")


class TokenCreateForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("What the token is for"),
        validators=[DataRequired(message=REQUIRED), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )
    days = SelectField(_l("Valid for"), choices=[], default="")


TOKEN_LIFETIMES = (7, 30, 90, 365)  # days offered on the profile; the default joins them


def token_lifetime_choices(default_days: int) -> list[SelectChoice]:
    """The lifetimes to choose from, the configured default among them."""
    days = sorted({*TOKEN_LIFETIMES, default_days})
    return [SelectChoice(str(d), _l("%(num)d days", num=d)) for d in days]


class TokenRevokeForm(FlaskForm):  # type: ignore[misc]
    """One per listed token: the CSRF token, the token's id is in the URL."""


class SignOutEverywhereForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: the button ends every session and revokes every API token."""


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


ROLE_CHOICES = [SelectChoice(role, ROLE_NAMES[role]) for role in ROLES]
TIER_CHOICES = [SelectChoice("", _l("None")), *(SelectChoice(str(t)) for t in TIERS)]


class RolesForm(FlaskForm):  # type: ignore[misc]
    roles = CheckboxesField(_l("Roles"), choices=ROLE_CHOICES)
    tier = SelectField(_l("Support tier (agents)"), choices=TIER_CHOICES, default="")
    teams = StringField(_l("Teams (agents, separated by commas)"), render_kw={"dir": "ltr"})


class CreateUserForm(RolesForm):
    name = _name()
    email = _email()
    password = _password(_l("Initial password"), "new-password")
    lang = RadioField(_l("Language"), choices=LANG_CHOICES, default="ar")


# The notification mails a person may choose (portal.accounts.mail_preferences.KINDS).
MAIL_KIND_NAMES = {
    "ticket_opened": _l("My request was received (its reference and link)"),
    "ticket_reply": _l("A reply to my request"),
    "ticket_resolved": _l("My request was resolved (with a link to rate the answer)"),
    "sla_warning": _l("A ticket I work on nears its service-level deadline"),
    "sla_breach": _l("A ticket missed its deadline and was escalated"),
    "ticket_assigned": _l("A ticket was escalated and given to me"),
    "attention": _l("An article I own needs attention"),
    "weekly_summary": _l("The weekly summary of the reports (managers)"),
}


class NotificationsForm(FlaskForm):  # type: ignore[misc]
    """Which notification mails to get; the choices are those the service offers the viewer."""

    kinds = CheckboxesField(_l("Send me a mail when"))
