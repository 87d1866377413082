"""``/admin/service-levels``: admins keep the business-hours calendar (weekly hours, time
zone), holidays (Gregorian or Umm al-Qura), date-range overrides, SLA policies and root-cause
codes. Each form posts through Flask-WTF; a refusal re-shows the page with what was typed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from portal.accounts.models import UserInfo
from portal.db import transaction
from portal.tickets import root_causes, sla_admin
from portal.tickets.errors import ValidationError
from portal.tickets.states import CHANNELS, PRIORITIES
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services
from portal.web.params import whole_number

bp = Blueprint("service_levels", __name__, url_prefix="/admin/service-levels")
MAX_MINUTES = sla_admin.MAX_TARGET_MINUTES


class SlaForm(FlaskForm):  # type: ignore[misc]
    """Only the CSRF token: the fields are read (and checked) by portal.tickets.sla_admin."""


def _admin() -> UserInfo:
    account = current_account()
    assert account is not None  # roles_required("admin") let the request in
    return account


def _text(name: str, limit: int = 200) -> str:
    return (request.form.get(name) or "").strip()[:limit]


def _minutes(name: str) -> int | None:
    text = _text(name, 20)
    if not text:
        return None
    value = whole_number(text, 1, MAX_MINUTES)
    if value is None:
        raise ValidationError(name, "minutes", "range")
    return value


def _page(form: str | None = None, error: str | None = None, status: int = 200) -> Any:
    account = _admin()
    wired = services()
    with transaction(wired.sessions) as session:
        calendars = sla_admin.list_calendars(session, account, timezone=wired.settings.timezone)
        policies = sla_admin.list_policies(session, account)
        codes = root_causes.list_root_cause_codes(session, active_only=False)
    typed = dict(request.form) if form else {}
    return (
        render_template(
            "service_levels/index.html",
            calendar=calendars[0],
            policies=policies,
            codes=codes,
            weekdays=sla_admin.WEEKDAYS,
            priorities=PRIORITIES,
            channels=CHANNELS,
            failed=form,
            error=error,
            typed=typed,
            form=SlaForm(),
        ),
        status,
    )


def _said(error: ValidationError) -> str:
    texts: dict[str, str] = {
        "periods": _(
            "Write working periods as 10:00-16:00, several separated by commas, or closed."
        ),
        "date": _("Write the date as YYYY-MM-DD (a real Gregorian or Umm al-Qura date)."),
        "timezone": _("Choose an IANA time zone such as Asia/Riyadh."),
        "range": _("Use a number in the allowed range."),
        "required": _("This field is required."),
        "taken": _("Another entry has this name."),
        "choice": _("Choose one of the offered values."),
        "code": _("A code is 1–40 letters, digits, _ or -."),
    }
    return str(texts.get(error.code, _("This value was not accepted.")))


def _save(form_name: str, action: Any, done: str) -> Any:
    if not SlaForm().validate():
        return _page(form_name, _("The form expired; send it again."), 400)
    try:
        with transaction(services().sessions) as session:
            action(session)
    except ValidationError as error:
        return _page(form_name, _said(error), 400)
    flash(done, "success")
    return redirect(url_for("service_levels.index"), code=303)


@bp.get("/")
@roles_required("admin")
def index() -> Any:
    return _page()


@bp.post("/week")
@roles_required("admin")
def week() -> Any:
    days = {day: _text(day) for day in sla_admin.WEEKDAYS}
    missing = [day for day in sla_admin.WEEKDAYS if day not in request.form]
    if missing:  # a form without the days is not "closed every day"
        return _page("week", _("Give the working periods of every day."), 400)
    return _save(
        "week",
        lambda s: sla_admin.set_week(
            s,
            _admin(),
            calendar_id=None,
            days=days,
            timezone=_text("timezone", 64) or None,
        ),
        _("The working hours were saved."),
    )


@bp.post("/holidays")
@roles_required("admin")
def holiday() -> Any:
    days = whole_number(_text("days", 3) or "1", 1, sla_admin.MAX_HOLIDAY_DAYS) or 0
    return _save(
        "holiday",
        lambda s: sla_admin.add_holiday(
            s,
            _admin(),
            date=_text("date", 10),
            name=_text("name"),
            hijri=request.form.get("calendar") == "hijri",
            days=days,
        ),
        _("The holiday was added."),
    )


@bp.post("/holidays/<int:holiday_id>/delete")
@roles_required("admin")
def delete_holiday(holiday_id: int) -> Any:
    return _save(
        "holiday-delete",
        lambda s: sla_admin.delete_holiday(s, _admin(), holiday_id),
        _("The holiday was removed."),
    )


@bp.post("/overrides")
@roles_required("admin")
def override() -> Any:
    return _save(
        "override",
        lambda s: sla_admin.add_override(
            s,
            _admin(),
            name=_text("name"),
            first_day=_text("first_day", 10),
            last_day=_text("last_day", 10),
            periods=_text("periods"),
            hijri=request.form.get("calendar") == "hijri",
        ),
        _("The override was added."),
    )


@bp.post("/overrides/<int:override_id>/delete")
@roles_required("admin")
def delete_override(override_id: int) -> Any:
    return _save(
        "override-delete",
        lambda s: sla_admin.delete_override(s, _admin(), override_id),
        _("The override was removed."),
    )


@bp.post("/policies")
@roles_required("admin")
def policy() -> Any:
    def save(session: Any) -> None:
        sla_admin.save_policy(
            session,
            _admin(),
            policy_id=whole_number(_text("policy_id", 12), 1, 2**31),
            name=_text("name", 100),
            priority=_text("priority", 10) or None,
            category=_text("category", 100) or None,
            team=_text("team", 60) or None,
            channel=_text("channel", 10) or None,
            first_response_minutes=_minutes("first_response_minutes"),
            next_response_minutes=_minutes("next_response_minutes"),
            resolution_minutes=_minutes("resolution_minutes"),
            active=request.form.get("active", "on") == "on",
        )

    return _save("policy", save, _("The policy was saved."))


@bp.post("/root-causes")
@roles_required("admin")
def root_cause() -> Any:
    return _save(
        "root-cause",
        lambda s: sla_admin.save_root_cause_code(
            s,
            _admin(),
            code=_text("code", 40),
            label_en=_text("label_en"),
            label_ar=_text("label_ar"),
            active=request.form.get("active", "on") == "on",
        ),
        _("The root-cause code was saved."),
    )
