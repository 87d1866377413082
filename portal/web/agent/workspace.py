"""The agent queue and its workspace: sortable columns, the built-in tabs and each agent's
saved views, bulk actions on the ticked tickets.

Thin as every view: the query string becomes a ``QueueFilter``; saving, deleting and the bulk
actions are one tickets service call each, which owns the rules (whose view, which ticket).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from portal.accounts.models import UserInfo
from portal.accounts.services import list_agents
from portal.accounts.teams import list_teams
from portal.db import transaction, utcnow
from portal.tickets import bulk, saved_views, service_levels
from portal.tickets import queue as ticket_queue
from portal.tickets.errors import (
    InvalidTransition,
    TicketError,
    TicketForbidden,
    TicketNotFound,
    ValidationError,
)
from portal.tickets.states import ACTIVE_STATUSES, PRIORITIES, STATUSES, TIERS
from portal.tickets.values import QUEUE_SORT_COLUMNS, QueueFilter
from portal.web.agent.forms import BulkForm, SavedViewForm
from portal.web.agent.views import STAFF, _account, bp
from portal.web.auth.access import roles_required
from portal.web.context import services
from portal.web.errors import ticket_message
from portal.web.forms import MAX_PAGE, clean_text
from portal.web.pagination import page_numbers
from portal.web.params import whole_number
from portal.web.tickets.forms import ActionForm, error_list
from portal.web.tickets.shared import article_exists
from portal.web.tickets.views import categories

TABS = ("all", "mine", "unassigned", "team")
DEFAULT_SORT = "due"  # what breaches first
# The direction a column takes on its first click: the most useful end first.
FIRST_DIRECTION = {"priority": "desc", "opened": "desc"}


def parse_queue(args: Mapping[str, str]) -> QueueFilter:
    """The queue's filters from the query string; anything unknown is dropped, not an error."""
    account = _account()
    status = args.get("status", "")
    statuses: tuple[str, ...] = ACTIVE_STATUSES
    if status == "all":
        statuses = ()
    elif status in STATUSES:
        statuses = (status,)
    assignee = args.get("assignee", "")
    tab = args.get("tab", "")
    assignee_id = None
    if assignee == "none" or (not assignee and tab == "unassigned"):
        assignee_id = 0
    elif assignee == "me" or (not assignee and tab == "mine"):
        assignee_id = account.id
    elif (number := whole_number(assignee, 1, 2**31)) is not None:
        assignee_id = number
    # "My team": the viewer's teams; someone in no team has no such tickets.
    teams = (tuple(sorted(account.teams)) or ("",)) if tab == "team" else ()
    priority = args.get("priority", "")
    return QueueFilter(
        status=statuses,
        priority=priority if priority in PRIORITIES else None,
        tier=whole_number(args.get("tier"), min(TIERS), max(TIERS)),
        team=clean_text(args.get("team"), 100) or None,
        assignee_id=assignee_id,
        category=clean_text(args.get("category"), 100) or None,
        text=clean_text(args.get("q"), 200),
        page=whole_number(args.get("page"), 1, MAX_PAGE) or 1,
        teams=teams,
        sort=_sort(args),
    )


def _sort(args: Mapping[str, str]) -> str:
    """``?sort=<column>&dir=asc|desc`` (``-column`` too); breaches first by default."""
    sort = args.get("sort", "")
    if sort == "urgency":
        return sort
    column = sort.lstrip("-")
    if column not in QUEUE_SORT_COLUMNS:
        return DEFAULT_SORT
    descending = sort.startswith("-") or args.get("dir") == "desc"
    return f"-{column}" if descending else column


def _chosen(args: Mapping[str, str]) -> dict[str, str]:
    """The queue's own parameters that are set, as the links and views keep them."""
    return saved_views.view_params(args)


def _sort_links(chosen: dict[str, str], sort: str) -> dict[str, tuple[str, str | None]]:
    """Per column: the URL its header links to (the other direction once it is sorted), and
    its ``aria-sort`` value (None when the queue is not sorted by it)."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    links = {}
    for column in QUEUE_SORT_COLUMNS:
        if column == current:
            direction = "asc" if descending else "desc"
            state: str | None = "descending" if descending else "ascending"
        else:
            direction, state = FIRST_DIRECTION.get(column, "asc"), None
        query = {k: v for k, v in chosen.items() if k not in ("sort", "dir", "page")}
        links[column] = (queue_url({**query, "sort": column, "dir": direction}), state)
    return links


def queue_url(params: Mapping[str, str]) -> str:
    """The queue with these parameters."""
    query: dict[str, Any] = dict(params)
    return url_for("agent.queue", **query)


def _agents(session: Any, account: UserInfo) -> tuple[UserInfo, ...]:
    """The agents a bulk assignment may choose: those of the viewer's teams."""
    if not account.teams:
        return list_agents(session)
    found: dict[int, UserInfo] = {}
    for team in sorted(account.teams):
        found.update((a.id, a) for a in list_agents(session, team))
    return tuple(sorted(found.values(), key=lambda a: (a.name, a.id)))


def _queue_page(
    args: Mapping[str, str], view_values: dict[str, str], view_errors: dict[str, str]
) -> str:
    account = _account()
    filters = parse_queue(args)
    with transaction(services().sessions) as session:
        listing = ticket_queue.list_queue(session, account, filters)
        # Time left in working hours, on the calendar of each ticket's policy.
        listing = replace(
            listing,
            tickets=service_levels.with_time_left(
                session, listing.tickets, utcnow(), services().settings.tickets
            ),
        )
        views = saved_views.list_saved_views(session, account)
        agents = _agents(session, account)
        teams = list_teams(session, include_inactive=False)
        team_menu = ticket_queue.queue_teams(session, account)
    chosen = _chosen(args)

    def page_url(page: int) -> str:
        return queue_url({**chosen, "page": str(page)})

    def tab_url(tab: str) -> str:
        query = {k: v for k, v in chosen.items() if k not in ("tab", "assignee")}
        return queue_url({**query, **({"tab": tab} if tab != "all" else {})})

    here = urlencode(sorted(chosen.items()))
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
        teams=team_menu,
        sort_links=_sort_links(chosen, filters.sort),
        tabs=TABS,
        tab=chosen.get("tab", "all") if chosen.get("tab") in TABS else "all",
        tab_url=tab_url,
        views=views,
        view_url=lambda view: queue_url(view.params),
        current_view=next((v.id for v in views if dict(v.params) == chosen), None),
        here=here,
        view_values=view_values,
        view_errors=view_errors,
        agents=agents,
        all_teams=teams,
    )


@bp.get("")
@roles_required(*STAFF)
def queue() -> Any:
    return _queue_page(request.args, {}, {})


def _params(raw: str | None) -> dict[str, str]:
    return saved_views.view_params(dict(parse_qsl(raw or "", keep_blank_values=False)))


@bp.post("/views")
@roles_required(*STAFF)
def save_view() -> Any:
    form = SavedViewForm()
    params = _params(form.params.data)
    name = form.name.data or ""
    errors: dict[str, str] = {}
    if not form.validate():
        errors = {"name": error_list(form)[0]}
    else:
        try:
            with transaction(services().sessions) as session:
                saved_views.save_view(session, _account(), name=name, params=params, now=utcnow())
        except ValidationError as error:
            errors = {"name": _view_message(error)}
    if errors:
        return _queue_page(params, {"name": name}, errors), 400
    flash(_("The view “%(name)s” was saved.", name=" ".join(name.split())), "success")
    return redirect(queue_url(params), code=303)


def _view_message(error: ValidationError) -> str:
    if error.code == "duplicate":
        return str(_("You already have a view with this name: choose another name."))
    if error.code == "too_many":
        return str(_("You have as many saved views as you may keep: delete one first."))
    return ticket_message(error)


@bp.post("/views/<int:view_id>/delete")
@roles_required(*STAFF)
def delete_view(view_id: int) -> BaseResponse:
    if not ActionForm().validate():
        flash(_("Not saved: %(reason)s", reason=_("Reload the page and try again.")), "error")
        return redirect(url_for("agent.queue"), code=303)
    with transaction(services().sessions) as session:
        name = saved_views.delete_view(session, _account(), view_id)
    flash(_("The view “%(name)s” was deleted.", name=name), "success")
    return redirect(url_for("agent.queue"), code=303)


def refusal_reason(error: TicketError) -> str:
    """Why one ticket of a bulk action was left as it was, in the reader's language."""
    if isinstance(error, ValidationError):
        return ticket_message(error)
    if isinstance(error, InvalidTransition):
        return str(_("its status does not allow this now"))
    if isinstance(error, TicketForbidden):
        return str(_("only agents of the ticket's team may do this"))
    if isinstance(error, TicketNotFound):
        return str(_("there is no such ticket in your queue"))
    return str(_("it could not be changed"))


@bp.post("/bulk")
@roles_required(*STAFF)
def bulk_action() -> BaseResponse:
    form = BulkForm()
    params = _params(form.back.data)
    back = redirect(queue_url(params), code=303)
    if not form.validate():
        for message in error_list(form):
            flash(_("Not saved: %(reason)s", reason=message), "error")
        return back
    references = [r for r in (form.references.data or ()) if isinstance(r, str)]
    try:
        with transaction(services().sessions) as session:
            if form.action.data == "assign":
                result = bulk.bulk_assign(
                    session,
                    _account(),
                    references,
                    assignee_id=form.assignee(),
                    team=form.team(),
                    now=utcnow(),
                )
            elif form.action.data == "resolve":
                result = bulk.bulk_resolve(
                    session,
                    services().settings.tickets,
                    _account(),
                    references,
                    note=form.note.data or "",
                    now=utcnow(),
                    article_exists=article_exists,
                )
            else:
                raise ValidationError("action", "Choose assign or resolve.", "choice")
    except ValidationError as error:
        flash(_("Not saved: %(reason)s", reason=_bulk_message(error)), "error")
        return back
    if result.changed:
        count = len(result.changed)
        flash(
            ngettext("%(num)d ticket was changed.", "%(num)d tickets were changed.", count)
            + " "
            + ", ".join(result.changed),
            "success",
        )
    else:
        flash(_("No ticket was changed."), "error")
    for refusal in result.refused:
        flash(
            _(
                "%(reference)s was not changed: %(reason)s",
                reference=refusal.reference,
                reason=refusal_reason(refusal.error),
            ),
            "error",
        )
    return back


def _bulk_message(error: ValidationError) -> str:
    if error.field == "references":
        if error.code == "too_many":
            return str(_("Tick at most %(num)d tickets.", num=bulk.MAX_BULK))
        return str(_("Tick at least one ticket."))
    if error.field == "note":
        return str(_("Write a resolution note for the ticked tickets."))
    return ticket_message(error)
