"""The account pages under ``/auth``: log in and out, register, profile, password reset.

Each view parses its form, calls one accounts service inside ``transaction`` and renders or
redirects. Mail is queued in the service's transaction (``mail.queue_notice``) and leaves
after the commit, never inside the request. Token views are in ``tokens``.
"""

from __future__ import annotations

import logging

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
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from portal.accounts import services as accounts
from portal.accounts import tokens as api_tokens
from portal.accounts.errors import InvalidCredentials, InvalidToken, ValidationError
from portal.accounts.mail_preferences import mail_choices, set_mail_choices
from portal.accounts.models import UserInfo
from portal.db import DatabaseError, transaction, utcnow
from portal.web.auth.access import current_account, login_required
from portal.web.auth.forms import (
    MAIL_KIND_NAMES,
    ForgotForm,
    LoginForm,
    NotificationsForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    SignOutEverywhereForm,
    TokenCreateForm,
    TokenRevokeForm,
    token_lifetime_choices,
)
from portal.web.auth.mail import queue_notice
from portal.web.auth.messages import LOGIN_FAILED, error_messages, role_name
from portal.web.auth.pacing import note_request_start, paced
from portal.web.auth.session import log_in, log_out, replace_session_user
from portal.web.context import services
from portal.web.i18n import remember_locale
from portal.web.limits import (
    LOGIN_LIMIT,
    PASSWORD_RESET_LIMIT,
    REGISTRATION_LIMIT,
    client_ip,
    limiter,
    login_email,
)
from portal.web.security import safe_next

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/auth")
note_request_start(bp)

Page = str | Response | tuple[str, int]


def attach_error(
    form: object, error: ValidationError, fields: dict[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` under the matching field (or the form's top)."""
    name = (fields or {}).get(error.field, error.field)
    messages = error_messages(error, services().settings.accounts.password_min_length)
    field = getattr(form, name, None)
    if field is None:  # a field this form lacks: show it under the form's first field
        log.warning("no field %r for a %s error", error.field, type(form).__name__)
        field = next(iter(form))  # type: ignore[call-overload]
    field.errors = [*field.errors, *messages]


def _home() -> str:
    return url_for("home.index")


def _messages() -> list[str]:
    return [str(m) for m in get_flashed_messages()]


# --- log in and out ------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, key_func=client_ip, methods=["POST"])
@limiter.limit(LOGIN_LIMIT, key_func=login_email, methods=["POST"], scope="login-email")
def login() -> Page:
    """The log-in form; one answer for every failure, so it never tells who has an account."""
    target = safe_next(request.values.get("next"))
    if current_account() is not None:
        return redirect(target or _home(), code=303)
    form = LoginForm(next=target or "")
    failed = False
    if form.validate_on_submit():
        try:
            info = accounts.authenticate(
                services().sessions,
                services().settings.accounts,
                email=form.email.data,
                password=form.password.data,
                now=utcnow(),
                address=client_ip(),
                notify=queue_notice,
            )
        except InvalidCredentials:
            failed = True
        else:
            log_in(info)
            # The account's language from now on, whatever this browser showed before.
            target = safe_next(form.next.data) or _home()
            return remember_locale(redirect(target, code=303), info.lang)
    page = render_template(
        "auth/login.html",
        form=form,
        failed_message=LOGIN_FAILED if failed else None,
        registration=services().settings.accounts.registration_enabled,
        notices=_messages(),
    )
    return page, 400 if form.is_submitted() else 200


@bp.post("/logout")
def logout() -> Response:
    """End every session of the person (the cookie they hold, and any copy of it)."""
    account = current_account()
    if account is not None:
        with transaction(services().sessions) as session:
            accounts.end_sessions(session, account.id)
    log_out()
    flash(_("You are logged out."))
    return redirect(url_for("auth.login"), code=303)


# --- registration --------------------------------------------------------------------------


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(REGISTRATION_LIMIT, key_func=client_ip, methods=["POST"])
@paced
def register() -> Page:
    """Create an account; the answer is "check your mail" whether or not the address already
    had one (the service mails the new or the existing owner), so it tells nobody who has
    an account."""
    if not services().settings.accounts.registration_enabled:
        abort(404)
    if current_account() is not None:
        return redirect(_home(), code=303)
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            with transaction(services().sessions) as session:
                accounts.register_user(
                    session,
                    services().settings.accounts,
                    email=form.email.data,
                    name=form.name.data,
                    password=form.password.data,
                    lang=form.lang.data,
                    now=utcnow(),
                    notify=queue_notice,
                )
        except ValidationError as error:
            attach_error(form, error)
        else:
            return render_template("auth/register_sent.html", email=form.email.data)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


# --- profile -------------------------------------------------------------------------------


def new_token_form(*, submitted: bool) -> TokenCreateForm:
    """The "new API token" form (read from the request when ``submitted``), its lifetimes
    offered around the configured default."""
    default_days = services().settings.accounts.api_token_ttl.days
    form = TokenCreateForm() if submitted else TokenCreateForm(formdata=None)
    form.days.choices = token_lifetime_choices(default_days)
    if not form.days.data:
        form.days.data = str(default_days)
    return form


def notifications_form(account: UserInfo, *, submitted: bool) -> NotificationsForm:
    """The notification choices (read from the request when ``submitted``): the kinds the
    service offers ``account``, ticked as they are now."""
    with services().sessions() as session:
        choices = mail_choices(session, account)
    form = NotificationsForm() if submitted else NotificationsForm(formdata=None)
    form.kinds.choices = [(kind, str(MAIL_KIND_NAMES.get(kind, kind))) for kind in choices.offered]
    if not submitted:
        form.kinds.data = [kind for kind in choices.offered if kind in choices.wanted]
    return form


def profile_page(
    profile: ProfileForm | None = None,
    password: PasswordChangeForm | None = None,
    token_form: TokenCreateForm | None = None,
    new_token: str | None = None,
    status: int = 200,
    notifications: NotificationsForm | None = None,
) -> tuple[str, int]:
    """The profile: name and language, notifications, password, API tokens, sign out
    everywhere."""
    account = current_account()
    assert account is not None
    profile = profile or ProfileForm(name=account.name, lang=account.lang, formdata=None)
    password = password or PasswordChangeForm(formdata=None)
    notifications = notifications or notifications_form(account, submitted=False)
    with services().sessions() as session:
        tokens = api_tokens.list_api_tokens(session, account.id)
    return render_template(
        "auth/profile.html",
        account=account,
        profile_form=profile,
        password_form=password,
        notifications_form=notifications,
        token_form=token_form or new_token_form(submitted=False),
        revoke_form=TokenRevokeForm(formdata=None),
        everywhere_form=SignOutEverywhereForm(formdata=None),
        tokens=tokens,
        new_token=new_token,
        now=utcnow(),
        notices=_messages(),
    ), status


@bp.get("/profile")
@login_required
def profile() -> Page:
    return profile_page()


@bp.post("/profile")
@login_required
def save_profile() -> Page:
    """Save the name and language; the language also becomes this browser's interface."""
    account = current_account()
    assert account is not None
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            with transaction(services().sessions) as session:
                info = accounts.update_profile(
                    session, account.id, name=form.name.data, lang=form.lang.data
                )
        except ValidationError as error:
            attach_error(form, error)
        else:
            with force_locale(info.lang):  # the next page is in the newly chosen language
                flash(_("Your profile is saved."))
            return remember_locale(redirect(url_for("auth.profile"), code=303), info.lang)
    return profile_page(profile=form, status=400)


@bp.post("/notifications")
@login_required
def save_notifications() -> Page:
    """Keep the ticked notification kinds; security mails are not among them."""
    account = current_account()
    assert account is not None
    form = notifications_form(account, submitted=True)
    if form.validate_on_submit():
        try:
            with transaction(services().sessions) as session:
                set_mail_choices(session, account, form.kinds.data or [])
        except ValidationError as error:
            attach_error(form, error)
        else:
            flash(_("Your notification choices are saved."))
            return redirect(url_for("auth.profile") + "#notifications", code=303)
    return profile_page(notifications=form, status=400)


@bp.post("/password")
@login_required
def change_password() -> Page:
    """Change the password; every other session ends, this one carries on."""
    account = current_account()
    assert account is not None
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            with transaction(services().sessions) as session:
                info = accounts.change_password(
                    session,
                    services().settings.accounts,
                    account.id,
                    current_password=form.current_password.data,
                    new_password=form.new_password.data,
                    now=utcnow(),
                )
        except ValidationError as error:
            attach_error(form, error)
        else:
            replace_session_user(info)
            flash(
                _(
                    "Your password is changed. You were logged out everywhere else, "
                    "and your API tokens were revoked."
                )
            )
            return redirect(url_for("auth.profile"), code=303)
    return profile_page(password=form, status=400)


# --- forgotten password --------------------------------------------------------------------


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(PASSWORD_RESET_LIMIT, key_func=client_ip, methods=["POST"])
@paced
def forgot() -> Page:
    """Ask for a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotForm()
    if form.validate_on_submit():
        with transaction(services().sessions) as session:
            accounts.request_password_reset(
                session,
                services().settings.accounts,
                email=form.email.data,
                now=utcnow(),
                notify=queue_notice,
            )
        return render_template("auth/forgot_sent.html", email=form.email.data)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(PASSWORD_RESET_LIMIT, key_func=client_ip, methods=["POST"])
def reset(token: str) -> Page:
    """Choose a new password with the e-mailed link; then sign in with it."""
    form = ResetForm()
    if form.validate_on_submit():
        try:
            with transaction(services().sessions) as session:
                accounts.reset_password(
                    session,
                    services().settings.accounts,
                    token=token,
                    new_password=form.password.data,
                    now=utcnow(),
                )
        except InvalidToken:
            return render_template("auth/reset_invalid.html"), 400
        except ValidationError as error:
            attach_error(form, error, {"password": "password", "new_password": "password"})
        else:
            log_out()
            flash(_("Your password is changed. Log in with the new one."))
            return redirect(url_for("auth.login"), code=303)
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset.html", form=form, token=token), status


# --- template helpers ----------------------------------------------------------------------


@bp.app_template_global("current_account")
def _account_for_templates() -> UserInfo | None:
    """The signed-in person for the header; error pages still render if the database is down."""
    try:
        return current_account()
    except DatabaseError:
        log.exception("could not load the signed-in user for the page header")
        return None


@bp.app_template_global("role_name")
def _role_name(role: str) -> str:
    return role_name(role)


@bp.app_template_global("account_status")
def _account_status(info: UserInfo) -> str:
    if not info.active:
        return str(_("Deactivated"))
    if info.locked_until is not None and info.locked(utcnow()):
        until = info.locked_until.strftime("%Y-%m-%d %H:%M")
        return str(_("Log-ins paused after failed attempts, until %(time)s UTC", time=until))
    return str(_("Active account"))
