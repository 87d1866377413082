"""``/admin/outbox`` and ``/admin/mailbox``: the mail Sanad sends, as admins see it.

The outbox lists queued, sent and failed messages (with the server's last answer, the
attempts and the next try) and retries a failed one; the mailbox shows every mail the local
mailbox holds (a site without an SMTP host, such as the demo). The role checks are the
service's (portal.jobs.mail_admin); the views parse, call it and render.
"""

from __future__ import annotations

from flask import abort, flash, get_flashed_messages, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from portal.db import reading, transaction, utcnow
from portal.jobs.mail_admin import (
    STATUSES,
    MailNotFound,
    NotRetryable,
    list_mailbox,
    list_outbox,
    read_mail,
    retry,
)
from portal.jobs.service import JobsForbidden
from portal.kb.rendering import sanitize_mail_html
from portal.web.admin.views import bp
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services
from portal.web.forms import MAX_PAGE, clean_text
from portal.web.pagination import page_numbers
from portal.web.params import whole_number

STATUS_NAMES = {"queued": _l("Queued"), "sent": _l("Sent"), "failed": _l("Failed")}


class RetryMailForm(FlaskForm):  # type: ignore[misc]
    """ "Retry": nothing to type, the CSRF token is the point."""


def status_name(status: str) -> str:
    return str(STATUS_NAMES.get(status, status))


def _page() -> int:
    return whole_number(request.args.get("page"), 1, MAX_PAGE) or 1


@bp.get("/outbox")
@roles_required("admin")
def outbox() -> str:
    """The outbox, newest first, filtered by status and address."""
    status = request.args.get("status", "")
    status = status if status in STATUSES else ""
    to = clean_text(request.args.get("to"), 320)
    try:
        with reading(services().sessions) as session:
            listing = list_outbox(session, current_account(), status=status, to=to, page=_page())
    except JobsForbidden:
        abort(403)

    def page_url(page: int) -> str:
        return url_for("admin.outbox", status=status or None, to=to or None, page=page)

    return render_template(
        "admin/outbox.html",
        listing=listing,
        status=status,
        to=to,
        statuses=STATUSES,
        status_name=status_name,
        page_numbers=page_numbers(listing.page, listing.pages),
        page_url=page_url,
        form=RetryMailForm(),
        notices=[str(m) for m in get_flashed_messages()],
    )


@bp.post("/outbox/<int:row_id>/retry")
@roles_required("admin")
def retry_outbox(row_id: int) -> Response:
    if not RetryMailForm().validate_on_submit():
        abort(400)
    try:
        with transaction(services().sessions) as session:
            retry(session, current_account(), row_id, now=utcnow())
    except JobsForbidden:
        abort(403)
    except MailNotFound:
        abort(404)
    except NotRetryable:
        flash(_("Only a failed message can be retried; this one is not failed (any more)."))
    else:
        flash(_("The message is queued again and leaves within seconds."))
    return redirect(url_for("admin.outbox"), code=303)


@bp.get("/mailbox")
@roles_required("admin")
def mailbox() -> str:
    """Every mail of the local mailbox, newest first."""
    to = clean_text(request.args.get("to"), 320)
    try:
        with reading(services().sessions) as session:
            listing = list_mailbox(session, current_account(), to=to, page=_page())
    except JobsForbidden:
        abort(403)

    def page_url(page: int) -> str:
        return url_for("admin.mailbox", to=to or None, page=page)

    return render_template(
        "admin/mailbox.html",
        listing=listing,
        to=to,
        smtp_host=services().settings.mail.host,
        page_numbers=page_numbers(listing.page, listing.pages),
        page_url=page_url,
    )


@bp.get("/mailbox/<int:mail_id>")
@roles_required("admin")
def mailbox_mail(mail_id: int) -> str:
    """One mail: its headers, its HTML part (sanitized, images as links) and its text."""
    try:
        with reading(services().sessions) as session:
            mail = read_mail(session, current_account(), mail_id)
    except JobsForbidden:
        abort(403)
    except MailNotFound:
        abort(404)
    # Safe by construction: the allow-list sanitizer of portal.kb.rendering made it inert.
    html = Markup(sanitize_mail_html(mail.html)) if mail.html else None  # noqa: S704
    return render_template("admin/mailbox_mail.html", mail=mail, html=html)
