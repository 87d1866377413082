"""Requesters' ticket pages: "Still need help?", my tickets, a ticket, and what they do to it.

Thin: parse the form → one service inside one transaction → redirect or render. Who may see
which ticket is the tickets service's decision (``TicketNotFound`` → 404 for everyone else).
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from portal.config import LOCALES
from portal.db import Session, transaction, utcnow
from portal.tickets import attachments, conversation, intake, queue, resolution
from portal.tickets.errors import ValidationError
from portal.tickets.impact import resolved_by_entries
from portal.tickets.values import AttachmentFile, TicketDraft
from portal.web import trail as web_trail
from portal.web.auth.access import current_account, login_required, unauthorized_response
from portal.web.context import services, ui_lang
from portal.web.errors import ticket_message
from portal.web.forms import MAX_PAGE, clean_text
from portal.web.limits import TICKET_CREATE_LIMIT, TICKET_CREATE_SCOPE, limiter
from portal.web.pagination import page_numbers
from portal.web.params import whole_number
from portal.web.tickets import actions
from portal.web.tickets.forms import (
    ActionForm,
    NewTicketForm,
    RateForm,
    ReopenForm,
    ReplyForm,
    error_list,
    field_errors,
    number,
)
from portal.web.tickets.shared import (
    find_article,
    init_ticket_errors,
    keep_typed,
    pop_typed,
    session_trail,
)
from portal.web.tickets.timeline import requester_timeline

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
init_ticket_errors(bp)


def categories() -> list[tuple[str, str]]:
    """(slug, name in the interface language) of every category, for the category menu."""
    lang = ui_lang()
    return [(slug, c.name(lang)) for slug, c in services().repository.categories().items()]


def _render_new(values: dict[str, Any], errors: dict[str, str], status: int = 200) -> Any:
    trail = web_trail.current_trail()
    return (
        render_template(
            "tickets/new.html",
            values=values,
            errors=errors,
            trail=trail,
            categories=categories(),
            account=current_account(),
        ),
        status,
    )


def private(response: Any) -> BaseResponse:
    """The headers of every page or file that shows a visitor's private link."""
    answer: BaseResponse = make_response(response)
    answer.headers["Referrer-Policy"] = "no-referrer"
    answer.headers["Cache-Control"] = "private, no-store"
    return answer


def _visitors_allowed() -> bool:
    return services().settings.tickets.visitor_tickets_enabled


@bp.get("/new")
def new() -> Any:
    """The form arrives filled in: the last search as the subject, everything tried ticked."""
    if current_account() is None and not _visitors_allowed():
        return unauthorized_response()
    trail = web_trail.current_trail()
    values = {
        "subject": trail.searches[-1].query if trail.searches else "",
        "body": "",
        "category": clean_text(request.args.get("category"), 100),
        "impact": "me",
        "visitor_name": "",
        "visitor_email": "",
        "views": {v.key for v in trail.views},
        "searches": {s.query for s in trail.searches},
    }
    return _render_new(values, {})


@bp.post("/new")
@limiter.shared_limit(TICKET_CREATE_LIMIT, scope=TICKET_CREATE_SCOPE)
def create() -> Any:
    account = current_account()
    if account is None and not _visitors_allowed():
        return unauthorized_response()
    form = NewTicketForm()
    values = form.values()
    if not form.validate_for(visitor=account is None):
        return _render_new(values, field_errors(form), 400)
    draft = TicketDraft(
        subject=values["subject"],
        body=values["body"],
        category=values["category"] or None,
        impact=values["impact"] or None,
        lang=ui_lang() if ui_lang() in LOCALES else "ar",
        visitor_name=None if account else values["visitor_name"],
        visitor_email=None if account else values["visitor_email"],
    )
    trail = session_trail(values["views"], values["searches"])
    try:
        with transaction(services().sessions) as session:
            result = intake.open_ticket(
                session,
                services().settings.tickets,
                requester=account,
                draft=draft,
                trail=trail,
                visitor=web_trail.visitor_id(),
                files=form.uploads(),
                now=utcnow(),
            )
    except ValidationError as error:
        field = "files" if error.field == "file" else error.field
        return _render_new(values, {field: ticket_message(error)}, 400)
    reference = result.ticket.reference
    if account is None:
        return private(
            render_template(
                "tickets/sent.html",
                ticket=result.ticket,
                link=result.visitor_link,
                files=result.attachments,
                mailed=bool(result.mails),
            )
        )
    flash(_("Your request %(reference)s was sent.", reference=reference), "success")
    return redirect(url_for("tickets.detail", reference=reference), code=303)


@bp.get("/suggested/<lang>/<article_id>")
def suggested(lang: str, article_id: str) -> BaseResponse:
    """A suggestion opened from the ticket form: counted as a deflection attempt, then shown."""
    if lang not in LOCALES:
        abort(404)
    entry = services().search.get_entry(article_id, lang)
    if entry is None:
        abort(404)
    web_trail.record("suggest_click", lang=lang, article_id=article_id)
    return redirect(url_for("kb.article", lang=lang, article_id=article_id), code=303)


@bp.get("")
@login_required
def mine() -> Any:
    account = current_account()
    assert account is not None
    number = whole_number(request.args.get("page"), 1, MAX_PAGE) or 1
    with transaction(services().sessions) as session:
        listing = queue.list_my_tickets(session, account, page=number)
    return render_template(
        "tickets/mine.html",
        listing=listing,
        page_url=lambda page: url_for("tickets.mine", page=page),
        page_numbers=page_numbers(listing.page, listing.pages),
    )


@bp.get("/<reference>")
@login_required
def detail(reference: str) -> Any:
    account = current_account()
    with transaction(services().sessions) as session:
        found = conversation.get_ticket_detail(
            session, services().settings.tickets, account, reference, now=utcnow()
        )
        resolved_articles = resolved_by_entries(session, services().search, account, reference)
    if "resolve" in found.actions or "note" in found.actions:
        # Staff work the ticket on the agent page (the mail links here for everyone).
        return redirect(url_for("agent.ticket", reference=found.ticket.reference), code=303)
    linked = [(a, find_article(a, found.ticket.lang)) for a in found.linked_articles]
    return render_template(
        "tickets/ticket.html",
        detail=found,
        timeline=requester_timeline(found),
        linked=linked,
        kept=(kept := pop_typed(reference)),
        reply_draft=kept.get("reply", {}).get("body", ""),
        resolved_articles=resolved_articles,
    )


def _back(reference: str) -> BaseResponse:
    return redirect(url_for("tickets.detail", reference=reference), code=303)


def refused(reference: str, form: str, messages: list[str], typed: dict[str, str]) -> None:
    """Flash why a form on the ticket page was refused and keep what was typed in it."""
    for message in messages:
        flash(message, "error")
    if any(typed.values()):
        keep_typed(reference, form, typed)


@bp.post("/<reference>/reply")
@login_required
def reply(reference: str) -> Any:
    form = ReplyForm()
    typed = {"body": form.body.data or ""}
    if not form.validate():
        actions.check_first(current_account(), reference, "reply")
        refused(reference, "reply", error_list(form), typed)
        return _back(reference)
    try:
        with transaction(services().sessions) as session:
            actions.reply(
                session, current_account(), reference, body=typed["body"], attached=form.upload()
            )
    except ValidationError as error:
        refused(reference, "reply", [ticket_message(error)], typed)
        return _back(reference)
    flash(_("Your reply was added."), "success")
    return _back(reference)


@bp.post("/<reference>/confirm")
@login_required
def confirm(reference: str) -> BaseResponse:
    form = ActionForm()
    if not form.validate():  # only the CSRF token can fail here
        actions.check_first(current_account(), reference, "confirm")
        refused(reference, "confirm", error_list(form), {})
        return _back(reference)
    with transaction(services().sessions) as session:
        resolution.confirm_resolution(session, current_account(), reference, now=utcnow())
    flash(_("Thank you. The ticket is closed."), "success")
    return _back(reference)


@bp.post("/<reference>/reopen")
@login_required
def reopen(reference: str) -> BaseResponse:
    form = ReopenForm()
    typed = {"reason": form.reason.data or ""}

    def act(session: Session) -> object:
        return resolution.reopen_ticket(
            session,
            services().settings.tickets,
            current_account(),
            reference,
            reason=typed["reason"],
            attention_reopens=services().settings.knowledge.attention_reopens,
            now=utcnow(),
        )

    if not form.validate():
        actions.check_first(current_account(), reference, "reopen")
        refused(reference, "reopen", error_list(form), typed)
        return _back(reference)
    try:
        with transaction(services().sessions) as session:
            act(session)
    except ValidationError as error:
        refused(reference, "reopen", [ticket_message(error)], typed)
        return _back(reference)
    flash(_("The ticket is open again. The support team will answer you."), "success")
    return _back(reference)


@bp.post("/<reference>/rate")
@login_required
def rate(reference: str) -> BaseResponse:
    form = RateForm()
    typed = {"comment": form.comment.data or ""}

    def act(session: Session) -> object:
        return resolution.rate_ticket(
            session,
            current_account(),
            reference,
            rating=number(form.rating) or 0,
            comment=typed["comment"],
            now=utcnow(),
        )

    if not form.validate():
        actions.check_first(current_account(), reference, "rate")
        refused(reference, "rate", error_list(form), typed)
        return _back(reference)
    try:
        with transaction(services().sessions) as session:
            act(session)
    except ValidationError as error:
        refused(reference, "rate", [ticket_message(error)], typed)
        return _back(reference)
    flash(_("Thank you for your rating."), "success")
    return _back(reference)


@bp.get("/<reference>/attachments/<int:attachment_id>")
@login_required
def attachment(reference: str, attachment_id: int) -> BaseResponse:
    with transaction(services().sessions) as session:
        found = attachments.get_attachment_file(
            session, services().settings.tickets, current_account(), reference, attachment_id
        )
    return file_response(found)


# Images a browser shows without running anything (no SVG: it can carry script).
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def file_response(found: AttachmentFile) -> BaseResponse:
    """An attachment as a download; ``?inline=1`` shows an image in the page instead, sandboxed
    by its own Content-Security-Policy (the type was found from the bytes, and nosniff holds
    the browser to it)."""
    inline = request.args.get("inline") == "1" and found.content_type in PREVIEWABLE
    response = send_file(
        found.path,
        mimetype=found.content_type,
        as_attachment=not inline,
        download_name=found.download_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    if inline:
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
