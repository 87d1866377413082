"""Agents' pages: the queue, the working page of a ticket and every action on it.

Each action is a small POST form that calls one service and comes back to the ticket page;
a refused value is flashed there. Which tickets an agent may touch is the service's rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from portal.accounts.models import UserInfo
from portal.accounts.services import list_agents
from portal.db import (
    Session,  # the session type, through the storage layer
    transaction,
    utcnow,
)
from portal.notify.mail import send_mails
from portal.tickets import services as tickets
from portal.tickets.errors import InvalidTransition, ValidationError
from portal.tickets.impact import resolved_by_entries
from portal.tickets.states import (
    ACTIVE_STATUSES,
    ON_BEHALF_CHANNELS,
    PRIORITIES,
    STATUSES,
    TIERS,
)
from portal.tickets.values import QueueFilter, TicketChanges, TicketDraft
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services, ui_lang
from portal.web.forms import clean_text
from portal.web.pagination import page_numbers
from portal.web.params import whole_number
from portal.web.tickets.shared import (
    article_exists,
    find_article,
    form_message,
    keep_reply_draft,
    pop_reply_draft,
)
from portal.web.tickets.views import categories, upload

bp = Blueprint("agent", __name__, url_prefix="/agent")

STAFF = ("agent", "admin")
SUGGESTED = 5


def _account() -> UserInfo:
    account = current_account()
    assert account is not None  # roles_required let only signed-in staff through
    return account


def parse_queue(args: Any) -> QueueFilter:
    """The queue's filters from the query string; anything unknown is dropped, not an error."""
    status = args.get("status", "")
    statuses: tuple[str, ...] = ACTIVE_STATUSES
    if status == "all":
        statuses = ()
    elif status in STATUSES:
        statuses = (status,)
    assignee = args.get("assignee", "")
    assignee_id = None
    if assignee == "none":
        assignee_id = 0
    elif assignee == "me":
        assignee_id = _account().id
    elif (number := whole_number(assignee, 1, 2**31)) is not None:
        assignee_id = number
    priority = args.get("priority", "")
    return QueueFilter(
        status=statuses,
        priority=priority if priority in PRIORITIES else None,
        tier=whole_number(args.get("tier"), min(TIERS), max(TIERS)),
        team=clean_text(args.get("team"), 100) or None,
        assignee_id=assignee_id,
        category=clean_text(args.get("category"), 100) or None,
        text=clean_text(args.get("q"), 200),
        page=whole_number(args.get("page"), 1, 1000) or 1,
    )


@bp.get("")
@roles_required(*STAFF)
def queue() -> Any:
    filters = parse_queue(request.args)
    with transaction(services().sessions) as session:
        listing = tickets.list_queue(session, _account(), filters)
    chosen: dict[str, Any] = {k: v for k, v in request.args.items() if k != "page" and v}

    def page_url(page: int) -> str:
        return url_for("agent.queue", **{**chosen, "page": str(page)})

    return render_template(
        "agent/queue.html",
        listing=listing,
        chosen=chosen,
        page_url=page_url,
        page_numbers=page_numbers(listing.page, listing.pages),
        statuses=STATUSES,
        priorities=PRIORITIES,
        tiers=TIERS,
        categories=categories(),
        teams=sorted(_account().teams),
    )


@bp.get("/tickets/<reference>")
@roles_required(*STAFF)
def ticket(reference: str) -> Any:
    account = _account()
    wired = services()
    with transaction(wired.sessions) as session:
        found = tickets.get_ticket_detail(
            session, wired.settings.tickets, account, reference, now=utcnow()
        )
        if "note" not in found.actions:
            # An agent's own request to the help desk: they see it as a requester does.
            return redirect(url_for("tickets.detail", reference=found.ticket.reference))
        others = tickets.requester_other_tickets(session, account, reference)
        canned = tickets.list_canned_responses(session, account)
        agents = list_agents(session, found.ticket.team)
        resolved_articles = resolved_by_entries(session, wired.search, account, reference)
    suggested = tickets.suggest_articles(
        wired.search,
        subject=found.ticket.subject,
        body=found.ticket.body,
        limit=SUGGESTED,
        visibility="internal",
    )
    linked = [(a, find_article(a, found.ticket.lang)) for a in found.linked_articles]
    tried = [(v, find_article(v.article_id, v.lang)) for v in found.trail.views]
    return render_template(
        "agent/ticket.html",
        account_id=account.id,
        detail=found,
        others=others,
        canned=canned,
        agents=agents,
        suggested=suggested,
        linked=linked,
        tried_articles=tried,
        resolved_articles=resolved_articles,
        priorities=PRIORITIES,
        categories=categories(),
        reply_draft=pop_reply_draft(reference),
    )


def refusal(error: ValidationError) -> str:
    """Why the tickets service refused a value, in the interface language where we know it."""
    if error.code == "too_long":
        return str(_("This text is too long."))
    if error.field in ("article_id", "article_ids"):
        if error.code == "required":
            return str(_("Link at least one article or write a resolution note."))
        return str(_("There is no published article with this id."))
    known = {
        "reason": _("Write a reason."),
        "body": _("Write a message before sending."),
        "status": _("Choose open, waiting or on hold."),
        "tier": _("The ticket is already at the highest tier."),
        "assignee_id": _("Choose an active agent of the ticket's team."),
    }
    if error.field == "file" or error.field not in known:
        return form_message(error)
    return str(known[error.field])


def _act(
    reference: str,
    action: Callable[[Session, UserInfo], Any],
    done: str,
    on_refused: Callable[[], None] | None = None,
) -> BaseResponse:
    """Run one ticket action, flash the outcome and go back to the ticket page."""
    try:
        with transaction(services().sessions) as db:
            result = action(db, _account())
    except ValidationError as error:
        if on_refused is not None:
            on_refused()
        flash(_("Not saved: %(reason)s", reason=refusal(error)), "error")
    except InvalidTransition:
        if on_refused is not None:
            on_refused()  # the 409 page links back to the ticket, where the text waits
        raise
    else:
        send_mails(services().settings.mail, getattr(result, "mails", ()))
        flash(done, "success")
    return redirect(url_for("agent.ticket", reference=reference), code=303)


@bp.post("/tickets/<reference>/claim")
@roles_required(*STAFF)
def claim(reference: str) -> BaseResponse:
    return _act(
        reference,
        lambda s, a: tickets.claim_ticket(s, a, reference, now=utcnow()),
        _("You took the ticket."),
    )


@bp.post("/tickets/<reference>/assign")
@roles_required(*STAFF)
def assign(reference: str) -> BaseResponse:
    assignee_id = whole_number(request.form.get("assignee_id"), 1, 2**31)
    return _act(
        reference,
        lambda s, a: tickets.assign_ticket(s, a, reference, assignee_id=assignee_id, now=utcnow()),
        _("The assignment was saved."),
    )


@bp.post("/tickets/<reference>/update")
@roles_required(*STAFF)
def update(reference: str) -> BaseResponse:
    tags = tuple(t for t in (request.form.get("tags") or "").split(",") if t.strip())
    changes = TicketChanges(
        priority=request.form.get("priority") or None,
        category=request.form.get("category", ""),
        tags=tags,
    )
    return _act(
        reference,
        lambda s, a: tickets.update_ticket(s, a, reference, changes, now=utcnow()),
        _("The changes were saved."),
    )


@bp.post("/tickets/<reference>/status")
@roles_required(*STAFF)
def status(reference: str) -> BaseResponse:
    wanted = request.form.get("status", "")
    return _act(
        reference,
        lambda s, a: tickets.change_status(s, a, reference, status=wanted, now=utcnow()),
        _("The status was changed."),
    )


@bp.post("/tickets/<reference>/escalate")
@roles_required(*STAFF)
def escalate(reference: str) -> BaseResponse:
    reason = (request.form.get("reason") or "").strip()
    return _act(
        reference,
        lambda s, a: tickets.escalate_ticket(s, a, reference, reason=reason, now=utcnow()),
        _("The ticket was escalated."),
    )


@bp.post("/tickets/<reference>/reply")
@roles_required(*STAFF)
def reply(reference: str) -> BaseResponse:
    body = (request.form.get("body") or "").strip()
    internal = request.form.get("internal") == "1"
    attached = upload()

    def act(session: Session, account: UserInfo) -> Any:
        result = None
        if body or attached is None:
            result = tickets.add_reply(
                session,
                services().settings.tickets,
                account,
                reference,
                body=body,
                internal=internal,
                now=utcnow(),
            )
        if attached is not None:
            tickets.add_attachment(
                session,
                services().settings.tickets,
                account,
                reference,
                filename=attached[0],
                data=attached[1],
                internal=internal,
                now=utcnow(),
            )
        return result

    done = _("The internal note was added.") if internal else _("Your reply was sent.")
    typed = request.form.get("body", "")
    return _act(reference, act, done, on_refused=lambda: keep_reply_draft(reference, typed))


@bp.post("/tickets/<reference>/link")
@roles_required(*STAFF)
def link(reference: str) -> BaseResponse:
    article_id = clean_text(request.form.get("article_id"), 200)
    return _act(
        reference,
        lambda s, a: tickets.link_article(
            s, a, reference, article_id=article_id, now=utcnow(), article_exists=article_exists
        ),
        _("The article was linked."),
    )


@bp.post("/tickets/<reference>/resolve")
@roles_required(*STAFF)
def resolve(reference: str) -> BaseResponse:
    article_ids = [a for a in request.form.getlist("article_ids") if a.strip()]
    typed = clean_text(request.form.get("article_id"), 200)
    if typed:
        article_ids.append(typed)
    note = (request.form.get("note") or "").strip()
    return _act(
        reference,
        lambda s, a: tickets.resolve_ticket(
            s,
            services().settings.tickets,
            a,
            reference,
            article_ids=article_ids,
            note=note,
            now=utcnow(),
            article_exists=article_exists,
        ),
        _("The ticket was resolved."),
    )


@bp.post("/tickets/<reference>/flag")
@roles_required(*STAFF)
def flag(reference: str) -> BaseResponse:
    article_id = clean_text(request.form.get("article_id"), 200)
    reason = (request.form.get("reason") or "").strip()
    return _act(
        reference,
        lambda s, a: tickets.flag_article(
            s, a, reference, article_id=article_id, reason=reason, now=utcnow()
        ),
        _("Thank you. The knowledge managers will review the article."),
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
    form = request.form
    values = {
        "requester_email": clean_text(form.get("requester_email"), 320),
        "visitor_name": clean_text(form.get("visitor_name"), 200),
        "subject": clean_text(form.get("subject"), 200),
        "body": (form.get("body") or "").strip()[:20_000],
        "category": clean_text(form.get("category"), 100),
        "priority": form.get("priority", "normal"),
        "channel": form.get("channel", ""),
        "lang": form.get("lang", "ar"),
    }
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
            result = tickets.open_ticket_on_behalf(
                session,
                services().settings.tickets,
                _account(),
                requester_email=values["requester_email"],
                draft=draft,
                channel=values["channel"],
                now=utcnow(),
            )
    except ValidationError as error:
        return _render_on_behalf(values, {error.field: error.message}, 400)
    send_mails(services().settings.mail, result.mails)
    flash(_("Ticket %(reference)s was opened.", reference=result.ticket.reference), "success")
    return redirect(url_for("agent.ticket", reference=result.ticket.reference), code=303)


@bp.get("/canned")
@roles_required(*STAFF)
def canned() -> Any:
    with transaction(services().sessions) as session:
        responses = tickets.list_canned_responses(session, _account())
    return render_template("agent/canned.html", responses=responses, values={}, errors={})


@bp.post("/canned")
@roles_required(*STAFF)
def save_canned() -> Any:
    form = request.form
    values = {
        "id": form.get("id", ""),
        "title": clean_text(form.get("title"), 200),
        "body": (form.get("body") or "").strip()[:20_000],
        "lang": form.get("lang", ui_lang()),
    }
    try:
        with transaction(services().sessions) as session:
            tickets.save_canned_response(
                session,
                _account(),
                title=values["title"],
                body=values["body"],
                lang=values["lang"],
                now=utcnow(),
                response_id=whole_number(values["id"], 1, 2**31),
            )
    except ValidationError as error:
        with transaction(services().sessions) as session:
            responses = tickets.list_canned_responses(session, _account())
        page = render_template(
            "agent/canned.html",
            responses=responses,
            values=values,
            errors={error.field: error.message},
        )
        return page, 400
    flash(_("The canned response was saved."), "success")
    return redirect(url_for("agent.canned"), code=303)


@bp.post("/canned/<int:response_id>/delete")
@roles_required(*STAFF)
def delete_canned(response_id: int) -> BaseResponse:
    with transaction(services().sessions) as session:
        tickets.delete_canned_response(session, _account(), response_id)
    flash(_("The canned response was deleted."), "success")
    return redirect(url_for("agent.canned"), code=303)
