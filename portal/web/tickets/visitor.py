"""A visitor's ticket pages, reached by the private link (``/tickets/visit/<token>``) shown on
the confirmation page and mailed: the conversation, a reply form, "solved" / "still not
solved", and "send me a new link" (also by reference and address at ``/tickets/link``).

The token is the only key, so these pages send ``Referrer-Policy: no-referrer`` and
``Cache-Control: no-store``; a wrong or replaced token is the ordinary 404. Rate limits
count per client address: there are 2^256 tokens, but nobody gets to try many.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from portal.db import transaction, utcnow
from portal.notify.outbox import enqueue
from portal.tickets import visitor_links
from portal.tickets.errors import ValidationError
from portal.web.context import services
from portal.web.errors import ticket_message
from portal.web.limits import client_ip, limiter
from portal.web.tickets.forms import (
    ActionForm,
    ReopenForm,
    ReplyForm,
    VisitorLinkForm,
    error_list,
    field_errors,
)
from portal.web.tickets.shared import find_article, keep_typed, pop_typed
from portal.web.tickets.timeline import requester_timeline
from portal.web.tickets.views import bp, file_response, private

VISIT_LIMIT = "120 per hour"
VISITOR_POST_LIMIT = "30 per hour"
LINK_REQUEST_LIMIT = "5 per hour"
KEPT = "visitor"  # the key refused forms of a visitor page are kept under (one at a time)


def _back(token: str) -> BaseResponse:
    return private(redirect(url_for("tickets.visit", token=token), code=303))


def _refused(messages: list[str], typed: dict[str, str], form: str) -> None:
    for message in messages:
        flash(message, "error")
    if any(typed.values()):
        keep_typed(KEPT, form, typed)


@bp.get("/visit/<token>")
@limiter.limit(VISIT_LIMIT, key_func=client_ip)
def visit(token: str) -> BaseResponse:
    with transaction(services().sessions) as session:
        detail = visitor_links.get_visitor_ticket(
            session, services().settings.tickets, token, now=utcnow()
        )
    linked = [(a, find_article(a, detail.ticket.lang)) for a in detail.linked_articles]
    kept = pop_typed(KEPT)
    return private(
        render_template(
            "tickets/visit.html",
            detail=detail,
            timeline=requester_timeline(detail),
            token=token,
            linked=linked,
            kept=kept,
            reply_draft=kept.get("reply", {}).get("body", ""),
        )
    )


@bp.post("/visit/<token>/reply")
@limiter.limit(VISITOR_POST_LIMIT, key_func=client_ip)
def visit_reply(token: str) -> BaseResponse:
    form = ReplyForm()
    typed = {"body": form.body.data or ""}
    if not form.validate():
        _refused(error_list(form), typed, "reply")
        return _back(token)
    try:
        with transaction(services().sessions) as session:
            visitor_links.visitor_reply(
                session,
                services().settings.tickets,
                token,
                body=typed["body"],
                attached=form.upload(),
                now=utcnow(),
            )
    except ValidationError as error:
        _refused([ticket_message(error)], typed, "reply")
        return _back(token)
    flash(_("Your reply was added."), "success")
    return _back(token)


@bp.post("/visit/<token>/confirm")
@limiter.limit(VISITOR_POST_LIMIT, key_func=client_ip)
def visit_confirm(token: str) -> BaseResponse:
    form = ActionForm()
    if not form.validate():
        _refused(error_list(form), {}, "confirm")
        return _back(token)
    with transaction(services().sessions) as session:
        visitor_links.visitor_confirm(session, token, now=utcnow())
    flash(_("Thank you. The ticket is closed."), "success")
    return _back(token)


@bp.post("/visit/<token>/reopen")
@limiter.limit(VISITOR_POST_LIMIT, key_func=client_ip)
def visit_reopen(token: str) -> BaseResponse:
    form = ReopenForm()
    typed = {"reason": form.reason.data or ""}
    if not form.validate():
        _refused(error_list(form), typed, "reopen")
        return _back(token)
    try:
        with transaction(services().sessions) as session:
            visitor_links.visitor_reopen(
                session,
                services().settings.tickets,
                token,
                reason=typed["reason"],
                attention_reopens=services().settings.knowledge.attention_reopens,
                now=utcnow(),
            )
    except ValidationError as error:
        _refused([ticket_message(error)], typed, "reopen")
        return _back(token)
    flash(_("The ticket is open again. The support team will answer you."), "success")
    return _back(token)


@bp.post("/visit/<token>/renew")
@limiter.limit(LINK_REQUEST_LIMIT, key_func=client_ip)
def visit_renew(token: str) -> BaseResponse:
    """A new link replaces this one (which stops working) and goes to the ticket's address."""
    form = ActionForm()
    if not form.validate():
        _refused(error_list(form), {}, "renew")
        return _back(token)
    with transaction(services().sessions) as session:
        fresh = visitor_links.renew_visitor_link(
            session, services().settings.tickets, token, now=utcnow()
        )
        if fresh.mail is not None:
            enqueue(session, fresh.mail, now=utcnow())
    return private(render_template("tickets/link_sent.html", renewed=True))


@bp.route("/link", methods=["GET", "POST"])
@limiter.limit(LINK_REQUEST_LIMIT, key_func=client_ip, methods=["POST"])
def link_request() -> Any:
    """Lost the link: the reference and the address it was sent from get a new one by mail.
    The answer is the same whether they match or not."""
    form = VisitorLinkForm()
    if request.method == "GET" or not form.validate():
        status = 400 if request.method == "POST" else 200
        values = {"reference": form.reference.data or "", "email": form.email.data or ""}
        errors = field_errors(form) if request.method == "POST" else {}
        return render_template("tickets/link.html", values=values, errors=errors), status
    with transaction(services().sessions) as session:
        mail = visitor_links.request_visitor_link(
            session,
            services().settings.tickets,
            reference=form.reference.data,
            email=form.email.data,
            now=utcnow(),
        )
        if mail is not None:
            enqueue(session, mail, now=utcnow())
    return render_template("tickets/link_sent.html", renewed=False)


@bp.get("/visit/<token>/attachments/<int:attachment_id>")
@limiter.limit(VISIT_LIMIT, key_func=client_ip)
def visit_attachment(token: str, attachment_id: int) -> BaseResponse:
    with transaction(services().sessions) as session:
        found = visitor_links.get_visitor_attachment(
            session, services().settings.tickets, token, attachment_id
        )
    return private(file_response(found))
