"""JSON API v1, tickets. A public contract like the rest of /api/v1: add keys, never rename.

Callers sign in with the session cookie (JSON POSTs then carry ``X-CSRFToken``) or an
``Authorization: Bearer`` token. Field problems answer 422 naming the field, a body that is
not a JSON object 400; a refused request writes nothing (one transaction per call).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for

from portal.db import transaction, utcnow
from portal.tickets import conversation, queue
from portal.tickets.errors import ValidationError
from portal.tickets.idempotency import open_ticket_once
from portal.tickets.root_causes import RootCause
from portal.tickets.values import (
    MessageInfo,
    SelfServiceTrail,
    SlaInfo,
    TicketDetail,
    TicketDraft,
    TicketInfo,
    TrailSearch,
    TrailView,
)
from portal.web.api.views import bp
from portal.web.auth.access import current_account, login_required, signed_in_with_token
from portal.web.context import services, ui_lang
from portal.web.forms import MAX_PAGE, BadParameter
from portal.web.limits import (
    REPLAYED_HEADER,
    TICKET_CREATE_LIMIT,
    TICKET_CREATE_SCOPE,
    limiter,
    not_a_replay,
)
from portal.web.params import flag, whole_number
from portal.web.tickets import actions
from portal.web.tickets.shared import find_article, session_trail

MAX_TRAIL_ITEMS = 50
# Fields of a ticket that the team sets while working it; opening a ticket does not take them
# (an agent assigns, escalates and moves it through its own routes).
NOT_ON_CREATE = ("status", "tier", "team", "assignee", "assignee_id", "tags")


def _invalid(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(field, message, code)


def _payload() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadParameter("the body must be a JSON object (Content-Type: application/json)")
    return data


def _string(data: dict[str, Any], field: str, *, required: bool = False) -> str | None:
    value = data.get(field)
    if value is None:
        if required:
            raise _invalid(field, "This field is required.", "required")
        return None
    if not isinstance(value, str):
        raise _invalid(field, "Must be a string.", "type")
    return value


def _strings(data: dict[str, Any], field: str) -> list[str]:
    value = data.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(field, "Must be a list of strings.", "type")
    if len(value) > MAX_TRAIL_ITEMS:
        raise _invalid(field, f"Use at most {MAX_TRAIL_ITEMS} items.", "too_many")
    return list(value)


def _time(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _root_cause(data: dict[str, Any]) -> RootCause | None:
    """``"root_cause": {"code"?, "note"}`` (both strings); absent or null is none given."""
    value = data.get("root_cause")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _invalid("root_cause", 'Must be an object: {"code"?, "note"}.', "type")
    return RootCause(note=_string(value, "note"), code=_string(value, "code"))


def sla_json(sla: SlaInfo) -> dict[str, Any]:
    return {
        "policy": sla.policy,
        "first_response_due": _time(sla.first_response_due),
        "resolution_due": _time(sla.resolution_due),
        "next_response_due": _time(sla.next_response_due),
        "state": sla.state,
        "breaches": [
            {
                "target": b.target,
                "due_at": _time(b.due_at),
                "target_minutes": b.target_minutes,
                "policy": b.policy,
                "recorded_at": _time(b.recorded_at),
                "tier_before": b.tier_before,
                "tier_after": b.tier_after,
            }
            for b in sla.breaches
        ],
    }


def ticket_json(info: TicketInfo, *, staff: bool = True) -> dict[str, Any]:
    """The ticket as JSON; ``staff=False`` (a requester) leaves out the agents' own labels:
    tags are how the team sorts its work ("vip", "abusive"), not the requester's business."""
    return {
        "reference": info.reference,
        "subject": info.subject,
        "body": info.body,
        "lang": info.lang,
        "status": info.status,
        "priority": info.priority,
        "impact": info.impact,
        "category": info.category,
        "tags": list(info.tags) if staff else [],
        "tier": info.tier,
        "team": info.team,
        "channel": info.channel,
        "requester": {"name": info.requester_name, "email": info.requester_email},
        "assignee": info.assignee_name,
        "created_at": _time(info.created_at),
        "updated_at": _time(info.updated_at),
        "first_response_at": _time(info.first_response_at),
        "resolved_at": _time(info.resolved_at),
        "closed_at": _time(info.closed_at),
        "resolution_note": info.resolution_note,
        "rating": info.rating,
        "url": url_for("tickets.detail", reference=info.reference),
        "sla": sla_json(info.sla),
    }


def _message_json(message: MessageInfo) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": message.author_name,
        "body": message.body,
        "internal": message.internal,
        "created_at": _time(message.created_at),
    }


def _article_json(article_id: str, lang: str | None) -> dict[str, Any]:
    entry = find_article(article_id, lang)
    return {
        "id": article_id,
        "lang": entry.lang if entry else lang,
        "title": entry.title if entry else None,
        "url": url_for("kb.article", lang=entry.lang, article_id=entry.id) if entry else None,
    }


def detail_json(found: TicketDetail) -> dict[str, Any]:
    # "note" is offered exactly to those who work the ticket (see conversation._actions).
    body = ticket_json(found.ticket, staff="note" in found.actions)
    body["trail"] = {
        "viewed_articles": [
            {**_article_json(v.article_id, v.lang), "title": v.title, "viewed_at": _time(v.at)}
            for v in found.trail.views
        ],
        "searches": [
            {"query": s.query, "hits": s.hits, "searched_at": _time(s.at)}
            for s in found.trail.searches
        ],
    }
    body["linked_articles"] = [_article_json(a, found.ticket.lang) for a in found.linked_articles]
    body["messages"] = [_message_json(m) for m in found.messages]
    body["attachments"] = [
        {
            "id": a.id,
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "internal": a.internal,
            "url": url_for(
                "tickets.attachment", reference=found.ticket.reference, attachment_id=a.id
            ),
        }
        for a in found.attachments
    ]
    body["actions"] = sorted(found.actions)
    return body


def _given_trail(data: dict[str, Any]) -> SelfServiceTrail:
    """The trail a token client sends: article ids (titles looked up) and search texts."""
    views = []
    for article_id in _strings(data, "viewed_articles"):
        entry = find_article(article_id.strip())
        views.append(
            TrailView(article_id, entry.lang if entry else None, entry.title if entry else "")
        )
    searches = [TrailSearch(q) for q in _strings(data, "searches") if q.strip()]
    return SelfServiceTrail(searches=tuple(searches), views=tuple(views))


@bp.post("/tickets")
@login_required
@limiter.shared_limit(TICKET_CREATE_LIMIT, scope=TICKET_CREATE_SCOPE, deduct_when=not_a_replay)
def create_ticket() -> tuple[Response, int]:
    data = _payload()
    for field in NOT_ON_CREATE:
        if field in data:
            raise _invalid(
                field,
                f"'{field}' is set by the support team, not when opening a ticket.",
                "not_allowed",
            )
    lang = _string(data, "lang") or ui_lang()
    draft = TicketDraft(
        subject=_string(data, "subject", required=True) or "",
        body=_string(data, "body", required=True) or "",
        category=_string(data, "category"),
        priority=_string(data, "priority"),  # staff only: the service refuses a requester's
        impact=_string(data, "impact"),
        lang=lang,
    )
    # In a browser the session already knows what was tried; a token client tells us.
    trail = _given_trail(data) if signed_in_with_token() else session_trail()
    with transaction(services().sessions) as session:
        opened = open_ticket_once(
            session,
            services().settings.tickets,
            key=request.headers.get("Idempotency-Key"),
            body=data,
            requester=current_account(),
            draft=draft,
            trail=trail,
            now=utcnow(),
        )
    info = opened.result.ticket
    response = jsonify(
        {
            "reference": info.reference,
            "status": info.status,
            "url": url_for("tickets.detail", reference=info.reference),
        }
    )
    response.headers["Location"] = url_for("api.get_ticket", reference=info.reference)
    if opened.replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response, 201


def _bool(raw: str | None, field: str) -> bool:
    value = flag(raw)
    if value is None:
        raise BadParameter(f"{field} must be true or false")
    return value


@bp.get("/tickets")
@login_required
def list_tickets() -> Response:
    page = whole_number(request.args.get("page", "1"), 1, MAX_PAGE)
    if page is None:
        raise BadParameter(f"page must be a whole number from 1 to {MAX_PAGE}")
    account = current_account()
    assert account is not None
    with transaction(services().sessions) as session:
        listing = queue.list_tickets(
            session,
            account,
            status=request.args.get("status") or None,
            mine=_bool(request.args.get("mine"), "mine"),
            page=page,
        )
    return jsonify(
        {
            "total": listing.total,
            "page": listing.page,
            "per_page": listing.per_page,
            "tickets": [ticket_json(t, staff=account.is_staff) for t in listing.tickets],
        }
    )


@bp.get("/tickets/<reference>")
@login_required
def get_ticket(reference: str) -> Response:
    with transaction(services().sessions) as session:
        found = conversation.get_ticket_detail(
            session, services().settings.tickets, current_account(), reference, now=utcnow()
        )
    return jsonify(detail_json(found))


@bp.post("/tickets/<reference>/replies")
@login_required
def add_reply(reference: str) -> tuple[Response, int]:
    data = _payload()
    internal = data.get("internal", False)
    with transaction(services().sessions) as session:
        # 404/403/409 before field errors (portal.tickets.access.may_act).
        actions.check(session, current_account(), reference, "reply", internal=internal is True)
        if not isinstance(internal, bool):
            raise _invalid("internal", "Must be true or false.", "type")
        body = _string(data, "body", required=True) or ""
        actions.reply(session, current_account(), reference, body=body, internal=internal)
        found = conversation.get_ticket_detail(
            session, services().settings.tickets, current_account(), reference, now=utcnow()
        )
    return jsonify(detail_json(found)), 201


@bp.post("/tickets/<reference>/escalate")
@login_required
def escalate(reference: str) -> Response:
    data = _payload()
    with transaction(services().sessions) as session:
        actions.check(session, current_account(), reference, "escalate")
        reason = _string(data, "reason", required=True) or ""
        info = actions.escalate(session, current_account(), reference, reason=reason)
    return jsonify(ticket_json(info))


@bp.post("/tickets/<reference>/resolve")
@login_required
def resolve(reference: str) -> Response:
    data = _payload()
    with transaction(services().sessions) as session:
        actions.check(session, current_account(), reference, "resolve")
        article_ids = _strings(data, "article_ids")
        note = _string(data, "note")
        root_cause = _root_cause(data)
        result = actions.resolve(
            session,
            current_account(),
            reference,
            article_ids=article_ids,
            note=note,
            root_cause=root_cause,
        )
    return jsonify(ticket_json(result.ticket))
