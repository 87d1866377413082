"""``/admin/routing``: the routing rules in the order they are tried (first match wins);
create, edit, enable, disable and delete. Checks and validation live in
portal.tickets.routing_admin; this module parses forms and shows every error at once."""

from __future__ import annotations

from flask import abort, flash, get_flashed_messages, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, SelectChoice, SelectField, StringField, TextAreaField

from portal.accounts import services as accounts
from portal.accounts import teams
from portal.accounts.models import UserInfo
from portal.db import transaction
from portal.tickets import routing_admin
from portal.tickets.errors import ValidationError
from portal.tickets.routing import Rule
from portal.tickets.states import CHANNELS, PRIORITIES
from portal.web.admin.views import bp
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services, ui_lang
from portal.web.labels import channel_name, priority_name
from portal.web.params import db_id, whole_number

Page = str | Response | tuple[str, int]

MESSAGES = {
    "name": _l("A rule needs a name."),
    "category": _l("Use lower-case letters, digits, - or _."),
    "set_category": _l("Use lower-case letters, digits, - or _."),
    "channel": _l("Choose a channel from the list."),
    "requester_domain": _l("Write a domain such as example.org."),
    "set_priority": _l("Choose a priority from the list."),
    "set_team": _l("Choose an active team from the list."),
    "set_assignee_id": _l("Choose an active agent from the list."),
}
NOTHING_SET = _l("A rule must set at least one thing.")


class RuleForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF is untyped
    name = StringField(_l("Name of the rule"))
    position = StringField(_l("Order (smaller numbers are tried first)"), render_kw={"dir": "ltr"})
    enabled = BooleanField(_l("Enabled"), default=True)
    words = TextAreaField(_l("Words in the subject or text (separated by commas, all must occur)"))
    category = StringField(_l("When the category is"), render_kw={"dir": "ltr"})
    channel = SelectField(_l("When the channel is"), choices=[])
    requester_domain = StringField(
        _l("When the requester's e-mail domain is"), render_kw={"dir": "ltr"}
    )
    set_category = StringField(_l("Set the category"), render_kw={"dir": "ltr"})
    set_tags = StringField(_l("Add tags (separated by commas)"))
    set_priority = SelectField(_l("Set the priority"), choices=[])
    set_team = SelectField(_l("Send to the team"), choices=[])
    set_assignee_id = SelectField(_l("Assign to"), choices=[])


class RuleActionForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: enable, disable or delete one rule."""


def _actor() -> UserInfo:
    me = current_account()
    if me is None:
        abort(403)
    return me


def _choices(form: RuleForm) -> None:
    any_value = SelectChoice("", _("Any"))
    unchanged = SelectChoice("", _("Leave as it is"))
    form.channel.choices = [any_value, *(SelectChoice(c, channel_name(c)) for c in CHANNELS)]
    form.set_priority.choices = [
        unchanged,
        *(SelectChoice(p, priority_name(p)) for p in PRIORITIES),
    ]
    with services().sessions() as session:
        team_list = teams.list_teams(session, include_inactive=False)
        agents = accounts.list_agents(session)
    lang = ui_lang()
    form.set_team.choices = [unchanged, *(SelectChoice(t.key, t.name(lang)) for t in team_list)]
    form.set_assignee_id.choices = [
        SelectChoice("", _("Nobody (the team's next agent)")),
        *(SelectChoice(str(a.id), a.name) for a in agents),
    ]


def _input(form: RuleForm) -> routing_admin.RuleInput:
    assignee = form.set_assignee_id.data or ""
    return routing_admin.RuleInput(
        name=form.name.data or "",
        words=(form.words.data or "").replace("\n", ","),
        category=form.category.data or "",
        channel=form.channel.data or "",
        requester_domain=form.requester_domain.data or "",
        set_category=form.set_category.data or "",
        set_tags=form.set_tags.data or "",
        set_priority=form.set_priority.data or "",
        set_team=form.set_team.data or "",
        set_assignee_id=db_id(assignee) if assignee else None,
        position=whole_number(form.position.data, 0, 100000),
        enabled=bool(form.enabled.data),
    )


def _attach(form: RuleForm, error: ValidationError) -> None:
    problems = error.errors if isinstance(error, routing_admin.RuleErrors) else [error]
    for problem in problems:
        field = getattr(form, problem.field, None) or form.name
        if problem.message.startswith("A rule must set"):
            message = NOTHING_SET
        else:
            message = MESSAGES.get(problem.field, problem.message)
        field.errors = [*field.errors, str(message)]


@bp.get("/routing")
@roles_required("admin")
def routing_page() -> str:
    with services().sessions() as session:
        rules = routing_admin.list_rules(session)
        names = teams.team_names(session, ui_lang())
    return render_template(
        "admin/routing.html",
        rules=rules,
        team_names=names,
        action_form=RuleActionForm(),
        notices=[str(m) for m in get_flashed_messages()],
    )


def _form_for(rule: Rule) -> RuleForm:
    c, a = rule.conditions, rule.actions
    return RuleForm(
        formdata=None,
        name=rule.name,
        position=str(rule.position),
        enabled=rule.enabled,
        words=", ".join(c.words),
        category=c.category or "",
        channel=c.channel or "",
        requester_domain=c.requester_domain or "",
        set_category=a.category or "",
        set_tags=", ".join(a.tags),
        set_priority=a.priority or "",
        set_team=a.team or "",
        set_assignee_id=str(a.assignee_id or ""),
    )


@bp.route("/routing/new", methods=["GET", "POST"])
@roles_required("admin")
def new_rule() -> Page:
    return _rule_form(None)


@bp.route("/routing/<int:rule_id>", methods=["GET", "POST"])
@roles_required("admin")
def rule_page(rule_id: int) -> Page:
    return _rule_form(rule_id)


def _rule_form(rule_id: int | None) -> Page:
    form = RuleForm()
    if rule_id is not None:
        try:
            with services().sessions() as session:
                rule = routing_admin.get_rule(session, rule_id)
        except ValidationError:
            abort(404)
        if not form.is_submitted():
            form = _form_for(rule)
    _choices(form)
    status = 200
    if form.is_submitted():
        status = 400
        if form.validate():
            try:
                with transaction(services().sessions) as session:
                    routing_admin.save_rule(session, _actor(), _input(form), rule_id)
            except ValidationError as error:
                if error.code == "not_found":
                    abort(404)
                _attach(form, error)
            else:
                flash(_("The rule is saved."))
                return redirect(url_for("admin.routing_page"), code=303)
    return render_template("admin/rule.html", form=form, rule_id=rule_id), status


@bp.post("/routing/<int:rule_id>/<any(enable, disable, delete):verb>")
@roles_required("admin")
def rule_action(rule_id: int, verb: str) -> Response:
    if not RuleActionForm().validate():
        abort(400)
    try:
        with transaction(services().sessions) as session:
            if verb == "delete":
                routing_admin.delete_rule(session, _actor(), rule_id)
                flash(_("The rule is deleted."))
            else:
                routing_admin.set_enabled(session, _actor(), rule_id, verb == "enable")
                flash(_("The rule is saved."))
    except ValidationError:
        abort(404)
    return redirect(url_for("admin.routing_page"), code=303)
