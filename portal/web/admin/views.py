"""``/admin/users``: find people, create accounts, change roles, tier and teams, deactivate,
reactivate and unlock. Every view needs the ``admin`` role."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    abort,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.accounts import services as accounts
from portal.accounts.errors import UserNotFound, ValidationError
from portal.accounts.models import ROLES, TIERS, UserInfo
from portal.db import transaction, utcnow
from portal.web.auth.access import current_account, roles_required
from portal.web.auth.forms import CreateUserForm, RolesForm
from portal.web.auth.messages import error_messages
from portal.web.context import services
from portal.web.forms import MAX_PAGE, clean_text
from portal.web.pagination import page_numbers
from portal.web.params import whole_number

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 25
Page = str | Response | tuple[str, int]


def _teams(text: str | None) -> list[str]:
    return [t for t in (part.strip() for part in (text or "").split(",")) if t]


def _tier(text: str | None) -> int | None:
    return whole_number(text, min(TIERS), max(TIERS))


def _attach(form: RolesForm, error: ValidationError) -> None:
    field = getattr(form, error.field, None) or form.roles
    field.errors = [
        *field.errors,
        *error_messages(error, services().settings.accounts.password_min_length),
    ]


def _page_number() -> int:
    return whole_number(request.args.get("page"), 1, MAX_PAGE) or 1


@bp.get("/")
@roles_required("admin")
def index() -> Response:
    return redirect(url_for("admin.users"), code=303)


@bp.get("/users")
@roles_required("admin")
def users() -> Page:
    """People whose name or e-mail address contains ``q``, optionally with one role."""
    query = clean_text(request.args.get("q"), 200)
    role = request.args.get("role", "")
    role = role if role in ROLES else ""
    with services().sessions() as session:
        listing = accounts.list_users(
            session, query=query, role=role or None, page=_page_number(), per_page=PER_PAGE
        )
    last = max(1, math.ceil(listing.total / listing.per_page))

    def page_url(page: int) -> str:
        return url_for("admin.users", q=query or None, role=role or None, page=page)

    return render_template(
        "admin/users.html",
        listing=listing,
        query=query,
        role=role,
        roles=ROLES,
        page_numbers=page_numbers(listing.page, last),
        page_url=page_url,
        notices=[str(m) for m in get_flashed_messages()],
    )


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def create() -> Page:
    form = CreateUserForm()
    if request.method == "GET":
        form.roles.data = ["requester"]
    if form.validate_on_submit():
        try:
            with transaction(services().sessions) as session:
                info = accounts.create_user(
                    session,
                    services().settings.accounts,
                    email=form.email.data,
                    name=form.name.data,
                    password=form.password.data,
                    roles=form.roles.data or [],
                    lang=form.lang.data,
                    tier=_tier(form.tier.data),
                    teams=_teams(form.teams.data),
                    now=utcnow(),
                )
        except ValidationError as error:
            _attach(form, error)
        else:
            flash(_("The account of %(name)s is created.", name=info.name))
            return redirect(url_for("admin.user", user_id=info.id), code=303)
    return render_template("admin/create.html", form=form), 400 if form.is_submitted() else 200


def _get(user_id: int) -> UserInfo:
    try:
        with services().sessions() as session:
            return accounts.get_user(session, user_id)
    except UserNotFound:
        abort(404)


def _user_page(info: UserInfo, form: RolesForm, status: int = 200) -> tuple[str, int]:
    me = current_account()
    return render_template(
        "admin/user.html",
        user=info,
        form=form,
        is_me=me is not None and me.id == info.id,
        now=utcnow(),
        notices=[str(m) for m in get_flashed_messages()],
    ), status


@bp.get("/users/<int:user_id>")
@roles_required("admin")
def user(user_id: int) -> Page:
    info = _get(user_id)
    form = RolesForm(
        formdata=None,
        roles=sorted(info.roles),
        tier=str(info.tier or ""),
        teams=", ".join(sorted(info.teams)),
    )
    return _user_page(info, form)


@bp.post("/users/<int:user_id>")
@roles_required("admin")
def save_roles(user_id: int) -> Page:
    info = _get(user_id)
    form = RolesForm()
    if form.validate_on_submit():
        me = current_account()
        if me is not None and me.id == user_id and "admin" not in (form.roles.data or []):
            form.roles.errors = [_("You cannot remove your own administrator role.")]
            return _user_page(info, form, 400)
        try:
            with transaction(services().sessions) as session:
                accounts.set_roles(
                    session,
                    services().settings.accounts,
                    user_id,
                    roles=form.roles.data or [],
                    tier=_tier(form.tier.data),
                    teams=_teams(form.teams.data),
                )
        except UserNotFound:
            abort(404)
        except ValidationError as error:
            _attach(form, error)
        else:
            flash(_("The roles are saved."))
            return redirect(url_for("admin.user", user_id=user_id), code=303)
    return _user_page(info, form, 400)


@bp.post("/users/<int:user_id>/<any(deactivate, reactivate, unlock):action>")
@roles_required("admin")
def act(user_id: int, action: str) -> Response:
    """Deactivate (signs the person out everywhere and revokes their API tokens), reactivate or
    unlock an account."""
    me = current_account()
    if action == "deactivate" and me is not None and me.id == user_id:
        abort(409)  # locking yourself out of the admin pages helps nobody
    try:
        with transaction(services().sessions) as session:
            if action == "deactivate":
                info = accounts.deactivate_user(session, user_id, now=utcnow())
            elif action == "reactivate":
                info = accounts.reactivate_user(session, user_id)
            else:
                info = accounts.unlock_user(session, user_id)
    except UserNotFound:
        abort(404)
    done = {
        "deactivate": _(
            "%(name)s is deactivated, logged out everywhere, and their API tokens are revoked.",
            name=info.name,
        ),
        "reactivate": _("%(name)s can log in again.", name=info.name),
        "unlock": _("%(name)s is unlocked.", name=info.name),
    }
    flash(done[action])
    return redirect(url_for("admin.user", user_id=user_id), code=303)
