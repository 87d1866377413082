"""``/admin/teams``: teams with names in both languages, tier, assignment mode, active flag,
members and agents' away flags. Admin-only here and in portal.accounts.teams."""

from __future__ import annotations

from flask import abort, flash, get_flashed_messages, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectChoice, SelectField, StringField

from portal.accounts import services as accounts
from portal.accounts import teams
from portal.accounts.errors import ValidationError
from portal.accounts.models import TIERS, UserInfo
from portal.db import transaction
from portal.web.admin.views import bp
from portal.web.auth.access import current_account, roles_required
from portal.web.auth.forms import CheckboxesField
from portal.web.context import services
from portal.web.params import whole_number

Page = str | Response | tuple[str, int]

MODE_CHOICES = [
    SelectChoice("round_robin", _l("Round robin")),
    SelectChoice("least_loaded", _l("Least loaded")),
]
TIER_CHOICES = [SelectChoice(str(t), str(t)) for t in TIERS]
# The service's messages, in the reader's language.
MESSAGES = {
    "key": _l("Use lower-case letters, digits, - or _ (up to 64)."),
    "name_ar": _l("The Arabic name is required."),
    "name_en": _l("The English name is required."),
    "tier": _l("The tier is 1, 2 or 3."),
    "assignment": _l("Choose round robin or least loaded."),
    "members": _l("Choose people from the list."),
}
TAKEN = _l("A team with this key exists.")


class TeamForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    name_ar = StringField(_l("Name in Arabic"), render_kw={"dir": "rtl", "lang": "ar"})
    name_en = StringField(_l("Name in English"), render_kw={"dir": "ltr", "lang": "en"})
    tier = SelectField(_l("Tier"), choices=TIER_CHOICES, default="1")
    assignment = SelectField(_l("Assignment within the team"), choices=MODE_CHOICES)
    active = BooleanField(_l("Active"), default=True)


class NewTeamForm(TeamForm):
    key = StringField(_l("Key (letters and digits, never changes)"), render_kw={"dir": "ltr"})


class MembersForm(FlaskForm):  # type: ignore[misc]
    members = CheckboxesField(_l("Members"), choices=[], coerce=int)
    away = CheckboxesField(_l("Away (skipped by automatic assignment)"), choices=[], coerce=int)


def _actor() -> UserInfo:
    me = current_account()
    if me is None:
        abort(403)
    return me


def _attach(form: FlaskForm, error: ValidationError) -> None:
    field = getattr(form, error.field, None) or form.name_ar
    message = TAKEN if error.code == "taken" else MESSAGES.get(error.field, error.message)
    field.errors = [*field.errors, str(message)]


def _tier(text: str | None) -> int:
    return whole_number(text, 0, 99) or 0  # "²".isdigit() is true, int("²") fails


@bp.route("/teams", methods=["GET", "POST"])
@roles_required("admin")
def teams_page() -> Page:
    form = NewTeamForm()
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                with transaction(services().sessions) as session:
                    info = teams.create_team(
                        session,
                        _actor(),
                        key=form.key.data or "",
                        name_ar=form.name_ar.data or "",
                        name_en=form.name_en.data or "",
                        tier=_tier(form.tier.data),
                        assignment=form.assignment.data or "",
                    )
            except ValidationError as error:
                _attach(form, error)
            else:
                flash(_("The team %(name)s is created.", name=info.name_en))
                return redirect(url_for("admin.team_page", key=info.key), code=303)
    with services().sessions() as session:
        listing = teams.list_teams(session)
    return render_template(
        "admin/teams.html",
        teams=listing,
        form=form,
        notices=[str(m) for m in get_flashed_messages()],
    ), status


def _team_page(key: str, form: TeamForm, members: MembersForm, status: int) -> tuple[str, int]:
    with services().sessions() as session:
        try:
            info = teams.get_team(session, key)
        except teams.TeamNotFound:
            abort(404)
        agents = accounts.list_agents(session)
        if not members.is_submitted():
            members.members.data = sorted(teams.member_ids(session, info.key))
            members.away.data = sorted(teams.away_ids(session))
    choices = [SelectChoice(a.id, a.name) for a in agents]
    members.members.choices = choices
    members.away.choices = choices
    return render_template(
        "admin/team.html",
        team=info,
        form=form,
        members=members,
        notices=[str(m) for m in get_flashed_messages()],
    ), status


def _saved_team_form(key: str) -> TeamForm:
    """The team form filled with the team as saved (404 when there is no such team)."""
    with services().sessions() as session:
        try:
            info = teams.get_team(session, key)
        except teams.TeamNotFound:
            abort(404)
    return TeamForm(
        formdata=None,
        name_ar=info.name_ar,
        name_en=info.name_en,
        tier=str(info.tier),
        assignment=info.assignment,
        active=info.active,
    )


@bp.get("/teams/<key>")
@roles_required("admin")
def team_page(key: str) -> Page:
    return _team_page(key, _saved_team_form(key), MembersForm(formdata=None), 200)


@bp.post("/teams/<key>")
@roles_required("admin")
def save_team(key: str) -> Page:
    form = TeamForm()
    if form.validate():
        try:
            with transaction(services().sessions) as session:
                teams.update_team(
                    session,
                    _actor(),
                    key,
                    name_ar=form.name_ar.data or "",
                    name_en=form.name_en.data or "",
                    tier=_tier(form.tier.data),
                    assignment=form.assignment.data or "",
                    active=bool(form.active.data),
                )
        except teams.TeamNotFound:
            abort(404)
        except ValidationError as error:
            _attach(form, error)
        else:
            flash(_("The team is saved."))
            return redirect(url_for("admin.team_page", key=key), code=303)
    return _team_page(key, form, MembersForm(formdata=None), 400)


@bp.post("/teams/<key>/members")
@roles_required("admin")
def save_members(key: str) -> Page:
    members = MembersForm()
    with services().sessions() as session:
        choices = [SelectChoice(a.id, a.name) for a in accounts.list_agents(session)]
    members.members.choices = choices
    members.away.choices = choices
    if members.validate():
        away = set(members.away.data or [])
        try:
            with transaction(services().sessions) as session:
                actor = _actor()
                teams.set_members(session, actor, key, members.members.data or [])
                for choice in choices:
                    agent_id = int(choice.value)
                    teams.set_away(session, actor, agent_id, agent_id in away)
        except teams.TeamNotFound:
            abort(404)
        except ValidationError as error:
            members.members.errors = [*members.members.errors, str(MESSAGES["members"])]
            del error
        else:
            flash(_("The members are saved."))
            return redirect(url_for("admin.team_page", key=key), code=303)
    return _team_page(key, _saved_team_form(key), members, 400)
