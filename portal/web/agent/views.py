"""Agents' pages: the queue, the working page of a ticket and every action on it.

Each action is a small POST form that calls one service and comes back to the ticket page;
a refused value is flashed there. Which tickets an agent may touch is the service's rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse

from portal.accounts.models import UserInfo
from portal.accounts.services import list_agents
from portal.db import (
    Session,  # the session type, through the storage layer
    transaction,
    utcnow,
)
from portal.tickets import (
    assignment,
    canned_responses,
    conversation,
    intake,
    knowledge_feedback,
    resolution,
    root_causes,
)
from portal.tickets import queue as ticket_queue
from portal.tickets.access import may_work
from portal.tickets.errors import InvalidTransition, ValidationError
from portal.tickets.impact import resolved_by_entries
from portal.tickets.states import (
    ON_BEHALF_CHANNELS,
    PRIORITIES,
)
from portal.tickets.values import TicketDraft
from portal.web.agent.forms import (
    AssignForm,
    CannedForm,
    EscalateForm,
    FlagForm,
    LinkForm,
    OnBehalfForm,
    ResolveForm,
    StatusForm,
    UpdateForm,
)
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services, ui_lang
from portal.web.errors import ticket_message
from portal.web.forms import MAX_PAGE, clean_text
from portal.web.pagination import page_numbers
from portal.web.params import whole_number
from portal.web.tickets import actions
from portal.web.tickets.forms import TOO_LONG, ActionForm, ReplyForm, error_list, field_errors
from portal.web.tickets.history import history_article_ids, history_lines
from portal.web.tickets.shared import (
    article_by_id_or_title,
    article_exists,
    find_article,
    keep_typed,
    pop_typed,
)
from portal.web.tickets.timeline import timeline
from portal.web.tickets.views import categories

bp = Blueprint("agent", __name__, url_prefix="/agent")

STAFF = ("agent", "admin")
SUGGESTED = 5


def _account() -> UserInfo:
    account = current_account()
    assert account is not None  # roles_required let only signed-in staff through
    return account


@bp.get("/tickets/<reference>")
@roles_required(*STAFF)
def ticket(reference: str) -> Any:
    account = _account()
    wired = services()
    with transaction(wired.sessions) as session:
        found = conversation.get_ticket_detail(
            session, wired.settings.tickets, account, reference, now=utcnow()
        )
        if "note" not in found.actions:
            # An agent's own request to the help desk: they see it as a requester does.
            return redirect(url_for("tickets.detail", reference=found.ticket.reference))
        others = ticket_queue.requester_other_tickets(session, account, reference)
        agents = list_agents(session, found.ticket.team)
        resolved_articles = resolved_by_entries(session, wired.search, account, reference)
        root_cause_codes = root_causes.list_root_cause_codes(session)
    suggested = ticket_queue.suggest_articles(
        wired.search,
        subject=found.ticket.subject,
        body=found.ticket.body,
        limit=SUGGESTED,
        visibility="internal",
    )
    linked = [(a, find_article(a, found.ticket.lang)) for a in found.linked_articles]
    tried = [(v, find_article(v.article_id, v.lang)) for v in found.trail.views]
    menu = categories()
    titles = {
        article_id: entry.title
        for article_id in history_article_ids(found.history)
        if (entry := find_article(article_id, ui_lang())) is not None
    }
    return render_template(
        "agent/ticket.html",
        account_id=account.id,
        detail=found,
        others=others,
        agents=agents,
        suggested=suggested,
        linked=linked,
        tried_articles=tried,
        resolved_articles=resolved_articles,
        root_cause_codes=root_cause_codes,
        priorities=PRIORITIES,
        categories=menu,
        history=(
            lines := history_lines(found.history, category_names=dict(menu), article_titles=titles)
        ),
        timeline=timeline(found.ticket, found.messages, lines),
        kept=(kept := pop_typed(reference)),
        reply_draft=kept.get("reply", {}).get("body", ""),
    )


def _refused(
    reference: str, form: str, messages: list[str], typed: dict[str, str] | None = None
) -> None:
    """Flash every reason at once and keep the text fields for the ticket page."""
    for message in messages:
        flash(_("Not saved: %(reason)s", reason=message), "error")
    if typed and any(typed.values()):
        keep_typed(reference, form, typed)


def _act(
    reference: str,
    form: FlaskForm,
    check: str,
    action: Callable[[Session, UserInfo], Any],
    done: str,
    typed: dict[str, str] | None = None,
    then: Callable[[Any], str | None] | None = None,
) -> BaseResponse:
    """Check the form, run one ticket action, flash the outcome and go back to the ticket
    page. A refusal (the form's, all at once, or the service's) keeps what was typed, under
    the form's name (``EscalateForm`` → ``kept.escalate`` in the template)."""
    name = type(form).__name__.removesuffix("Form").lower()
    back = redirect(url_for("agent.ticket", reference=reference), code=303)
    try:
        if not form.validate():
            # 404/403/409 come first: no field error about a ticket one may not work.
            internal = bool(getattr(form, "is_note", False))
            actions.check_first(_account(), reference, check, internal=internal)
            _refused(reference, name, error_list(form), typed)
            return back
        with transaction(services().sessions) as db:
            outcome = action(db, _account())
    except ValidationError as error:
        _refused(reference, name, [ticket_message(error)], typed)
        return back
    except InvalidTransition:
        if typed and any(typed.values()):
            keep_typed(reference, name, typed)  # the 409 page links back, where the text waits
        raise
    flash(done, "success")
    elsewhere = then(outcome) if then is not None else None
    return redirect(elsewhere, code=303) if elsewhere else back


@bp.post("/tickets/<reference>/claim")
@roles_required(*STAFF)
def claim(reference: str) -> BaseResponse:
    return _act(
        reference,
        ActionForm(),
        "claim",
        lambda s, a: assignment.claim_ticket(s, a, reference, now=utcnow()),
        _("You took the ticket."),
    )


@bp.post("/tickets/<reference>/assign")
@roles_required(*STAFF)
def assign(reference: str) -> BaseResponse:
    form = AssignForm()
    return _act(
        reference,
        form,
        "assign",
        lambda s, a: assignment.assign_ticket(
            s, a, reference, assignee_id=form.assignee(), now=utcnow()
        ),
        _("The assignment was saved."),
    )


@bp.post("/tickets/<reference>/update")
@roles_required(*STAFF)
def update(reference: str) -> BaseResponse:
    form = UpdateForm()
    return _act(
        reference,
        form,
        "update",
        lambda s, a: assignment.update_ticket(s, a, reference, form.changes(), now=utcnow()),
        _("The changes were saved."),
    )


@bp.post("/tickets/<reference>/status")
@roles_required(*STAFF)
def status(reference: str) -> BaseResponse:
    form = StatusForm()
    return _act(
        reference,
        form,
        "change_status",
        lambda s, a: assignment.change_status(
            s, a, reference, status=form.status.data, now=utcnow()
        ),
        _("The status was changed."),
    )


@bp.post("/tickets/<reference>/escalate")
@roles_required(*STAFF)
def escalate(reference: str) -> BaseResponse:
    form = EscalateForm()
    return _act(
        reference,
        form,
        "escalate",
        lambda s, a: actions.escalate(s, a, reference, reason=form.reason.data),
        _("The ticket was escalated."),
        typed={"reason": form.reason.data or ""},
        # Escalated to another tier's team: the agent may no longer open it, the queue waits.
        then=lambda info: None if may_work(_account(), info) else url_for("agent.queue"),
    )


@bp.post("/tickets/<reference>/reply")
@roles_required(*STAFF)
def reply(reference: str) -> BaseResponse:
    form = ReplyForm()
    done = _("The internal note was added.") if form.is_note else _("Your reply was sent.")
    return _act(
        reference,
        form,
        "reply",
        lambda s, a: actions.reply(
            s,
            a,
            reference,
            body=form.body.data,
            internal=form.is_note,
            attached=form.upload(),
        ),
        done,
        # A refused note comes back as a note: never behind the button that mails the requester.
        typed={"body": form.body.data or "", "internal": "1" if form.is_note else ""},
    )


@bp.post("/tickets/<reference>/link")
@roles_required(*STAFF)
def link(reference: str) -> BaseResponse:
    form = LinkForm()
    return _act(
        reference,
        form,
        "link_article",
        lambda s, a: resolution.link_article(
            s,
            a,
            reference,
            article_id=article_by_id_or_title(form.article_id.data, ui_lang()),
            now=utcnow(),
            article_exists=article_exists,
        ),
        _("The article was linked."),
        typed={"article_id": form.article_id.data or ""},
    )


@bp.post("/tickets/<reference>/resolve")
@roles_required(*STAFF)
def resolve(reference: str) -> BaseResponse:
    form = ResolveForm()
    return _act(
        reference,
        form,
        "resolve",
        lambda s, a: actions.resolve(
            s,
            a,
            reference,
            article_ids=form.articles(lambda typed: article_by_id_or_title(typed, ui_lang())),
            note=form.note.data,
            root_cause=form.root_cause(),
        ),
        _("The ticket was resolved."),
        typed={
            "article_id": form.article_id.data or "",
            "note": form.note.data or "",
            "root_cause_code": form.root_cause_code.data or "",
            "root_cause_note": form.root_cause_note.data or "",
        },
    )


@bp.post("/tickets/<reference>/flag")
@roles_required(*STAFF)
def flag(reference: str) -> BaseResponse:
    form = FlagForm()
    return _act(
        reference,
        form,
        "flag_article",
        lambda s, a: knowledge_feedback.flag_article(
            s, a, reference, article_id=form.article_id.data, reason=form.reason.data, now=utcnow()
        ),
        _("Thank you. The knowledge managers will review the article."),
        typed={"reason": form.reason.data or ""},
    )


def _render_on_behalf(values: dict[str, str], errors: dict[str, str], status: int = 200) -> Any:
    return (
        render_template(
            "agent/new.html",
            values=values,
            errors=errors,
            channels=ON_BEHALF_CHANNELS,
            priorities=PRIORITIES,
            categories=categories(),
        ),
        status,
    )


@bp.get("/new")
@roles_required(*STAFF)
def new() -> Any:
    values = {"channel": "phone", "priority": "normal", "lang": ui_lang()}
    return _render_on_behalf(values, {})


@bp.post("/new")
@roles_required(*STAFF)
def create() -> Any:
    form = OnBehalfForm()
    values = form.values()
    if not form.validate():
        return _render_on_behalf(values, _on_behalf_errors(field_errors(form)), 400)
    draft = TicketDraft(
        subject=values["subject"],
        body=values["body"],
        category=values["category"] or None,
        priority=values["priority"],
        lang=values["lang"],
        visitor_name=values["visitor_name"] or None,
    )
    try:
        with transaction(services().sessions) as session:
            result = intake.open_ticket_on_behalf(
                session,
                services().settings.tickets,
                _account(),
                requester_email=values["requester_email"],
                draft=draft,
                channel=values["channel"],
                now=utcnow(),
            )
    except ValidationError as error:
        errors = _on_behalf_errors({error.field: ticket_message(error)})
        return _render_on_behalf(values, errors, 400)
    flash(_("Ticket %(reference)s was opened.", reference=result.ticket.reference), "success")
    return redirect(url_for("agent.ticket", reference=result.ticket.reference), code=303)


def _on_behalf_errors(errors: dict[str, str]) -> dict[str, str]:
    """A name is needed exactly when no account has the address: the field says so."""
    if "visitor_name" in errors and errors["visitor_name"] != str(TOO_LONG):
        errors["visitor_name"] = str(_("No account has this address: enter the person's name."))
    return errors


def _canned_page(values: dict[str, Any], errors: dict[str, str]) -> str:
    """The management page: one page of responses (``?page=``, ``?q=``) and the new form."""
    number = whole_number(request.args.get("page"), 1, MAX_PAGE) or 1
    query = clean_text(request.args.get("q"), canned_responses.MAX_CANNED_QUERY)
    with transaction(services().sessions) as session:
        listing = canned_responses.search_canned_responses(
            session, _account(), q=query, page=number
        )

    def page_url(page: int) -> str:
        return url_for("agent.canned", page=page, q=query or None)

    return render_template(
        "agent/canned.html",
        listing=listing,
        query=query,
        page_numbers=page_numbers(listing.page, listing.pages),
        page_url=page_url,
        values=values,
        errors=errors,
    )


@bp.get("/canned")
@roles_required(*STAFF)
def canned() -> Any:
    return _canned_page({}, {})


@bp.post("/canned")
@roles_required(*STAFF)
def save_canned() -> Any:
    form = CannedForm()
    values = form.values()
    values["lang"] = values["lang"] or ui_lang()
    errors = field_errors(form) if not form.validate() else {}
    if not errors:
        try:
            with transaction(services().sessions) as session:
                canned_responses.save_canned_response(
                    session,
                    _account(),
                    title=values["title"],
                    body=values["body"],
                    lang=values["lang"],
                    now=utcnow(),
                    response_id=form.response_id(),
                )
        except ValidationError as error:
            errors = {error.field: ticket_message(error)}
    if errors:
        return _canned_page(values, errors), 400
    flash(_("The canned response was saved."), "success")
    return redirect(url_for("agent.canned"), code=303)


@bp.post("/canned/<int:response_id>/delete")
@roles_required(*STAFF)
def delete_canned(response_id: int) -> BaseResponse:
    if not ActionForm().validate():
        flash(_("Not saved: %(reason)s", reason=_("Reload the page and try again.")), "error")
        return redirect(url_for("agent.canned"), code=303)
    with transaction(services().sessions) as session:
        canned_responses.delete_canned_response(session, _account(), response_id)
    flash(_("The canned response was deleted."), "success")
    return redirect(url_for("agent.canned"), code=303)
