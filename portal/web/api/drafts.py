"""JSON API v1, drafts and article history (docs/api.md, "Drafts and review").

A public contract like the rest of /api/v1: add keys, never rename. Staff only, except an
article's history, which anyone may read for a published public article. Workflow refusals
become JSON errors with a message through the one error map in ``portal.web.errors``: 404
unknown draft (or one the person may not see), 403 not allowed, 422 a field that is not valid
(``fields`` names each), 409 a stale base (``current`` is the version there now) or a draft
in the wrong state. Nothing here answers 5xx for anything a client can send.
"""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType
from typing import Any

from flask import Response, jsonify, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from portal.db import transaction, utcnow
from portal.editorial import publishing
from portal.kb import workflow
from portal.kb.git import is_oid
from portal.kb.workflow import DraftInput, DraftView, Editor
from portal.web.api.views import bp
from portal.web.auth.access import current_editor, roles_required
from portal.web.context import services
from portal.web.errors import draft_api, error_response
from portal.web.forms import BadParameter

# Who may use the draft endpoints at all; the service decides the rest (kinds, own drafts).
DRAFT_ROLES = ("knowledge_manager", "admin", "author", "trainer")
# Who sees internal and unpublished articles' history.
STAFF_ROLES = frozenset({"knowledge_manager", "admin", "author", "trainer", "agent"})
_TEXT_FIELDS = ("title", "markdown", "lang", "category", "kind", "audience")
_OPTIONAL_TEXT = ("owner", "translation_of", "description")


def _payload() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadParameter("the body must be a JSON object (Content-Type: application/json)")
    return data


def _editor() -> Editor:
    editor = current_editor()
    if editor is None:  # roles_required has already answered 401
        raise BadParameter("sign in first")
    return editor


def _time(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def draft_json(draft: DraftView) -> dict[str, Any]:
    """The draft as the API shows it (the contract's keys first, then more)."""
    data = draft.data
    return {
        "id": draft.id,
        "article_id": draft.article_id,
        "lang": draft.lang,
        "title": data.title,
        "markdown": data.markdown,
        "status": draft.status,
        "author": draft.author_name,
        "base": draft.base,
        "author_id": draft.author_id,
        "path": draft.path,
        "is_new": draft.is_new,
        "published_base": draft.published_base,
        "category": data.category,
        "tags": list(data.tags),
        "kind": data.kind,
        "audience": data.audience,
        "owner": data.owner,
        "review_by": _time(data.review_by),
        "translation_of": data.translation_of,
        "description": data.description,
        "extra": _plain(data.extra),
        "source_tickets": list(draft.source_tickets),
        "reviewed_version": draft.reviewed_version,
        "created_at": _time(draft.created_at),
        "updated_at": _time(draft.updated_at),
        "events": [
            {
                "action": event.action,
                "actor": event.actor_name,
                "comment": event.comment,
                "commit": event.commit,
                "created_at": _time(event.created_at),
            }
            for event in draft.events
        ],
        "url": url_for("api.get_draft", draft_id=draft.id),
    }


def _plain(value: Any) -> Any:
    if isinstance(value, MappingProxyType | dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _draft_input(body: dict[str, Any], current: DraftInput | None) -> DraftInput:
    """The fields sent, over the draft's current ones (a new draft starts from defaults)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in _TEXT_FIELDS + _OPTIONAL_TEXT:
        if name in body:
            value = body[name]
            if value is None and name in _OPTIONAL_TEXT:
                values[name] = None
            elif not isinstance(value, str):
                errors[name] = "Must be a string."
            else:
                values[name] = value
    if "tags" in body:
        tags = body["tags"]
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            errors["tags"] = "Must be a list of strings."
        else:
            values["tags"] = tuple(tags)
    if "review_by" in body:
        raw = body["review_by"]
        if raw is None:
            values["review_by"] = None
        else:
            try:
                values["review_by"] = dt.date.fromisoformat(str(raw))
            except ValueError:
                errors["review_by"] = "Use a date like 2027-05-15."
    if "extra" in body:
        if not isinstance(body["extra"], dict):
            errors["extra"] = "Must be an object."
        else:
            values["extra"] = MappingProxyType(dict(body["extra"]))
    if current is None:
        for name in ("title", "markdown", "lang"):
            if name not in values and name not in errors:
                errors[name] = "This field is required."
    if errors:
        raise workflow.InvalidDraft(errors)
    if current is None:
        return DraftInput(**values)
    merged = {field: getattr(current, field) for field in DraftInput.__dataclass_fields__}
    merged.update(values)
    return DraftInput(**merged)


def _optional_string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise workflow.InvalidDraft({name: "Must be a string."})
    return value


@bp.post("/drafts")
@roles_required(*DRAFT_ROLES)
@draft_api
def create_draft() -> tuple[Response, int]:
    body = _payload()
    article_id = _optional_string(body, "article_id")
    base = _optional_string(body, "base")
    wired = services()
    lang = body.get("lang")
    # An edit starts from the published article's fields: send only what changes.
    live = (
        workflow.live_input(wired.repository, article_id, lang)
        if article_id and isinstance(lang, str)
        else None
    )
    data = _draft_input(body, live)
    with transaction(wired.sessions) as session:
        draft = workflow.create_draft(
            session, wired.repository, wired.settings, _editor(), data,
            article_id=article_id, base=base, now=utcnow(),
        )  # fmt: skip
    response = jsonify(draft_json(draft))
    response.headers["Location"] = url_for("api.get_draft", draft_id=draft.id)
    return response, 201


@bp.get("/drafts/<draft_id>")
@roles_required(*DRAFT_ROLES)
@draft_api
def get_draft(draft_id: str) -> Response:
    wired = services()
    with transaction(wired.sessions) as session:
        draft = workflow.open_draft(session, wired.repository, _editor(), draft_id)
    return jsonify(draft_json(draft))


@bp.put("/drafts/<draft_id>")
@roles_required(*DRAFT_ROLES)
@draft_api
def save_draft(draft_id: str) -> Response:
    body = _payload()
    base = body.get("base")
    if not isinstance(base, str) or not base:
        raise workflow.InvalidDraft({"base": "Send the version you edited (base)."})
    wired = services()
    editor = _editor()
    with transaction(wired.sessions) as session:
        # Fields not sent keep their value: merge over the draft as this person may see it.
        current = workflow.open_draft(session, wired.repository, editor, draft_id)
        saved = workflow.save_draft(
            session, wired.repository, wired.settings, editor, draft_id,
            _draft_input(body, current.data), base=base, now=utcnow(),
        )  # fmt: skip
    return jsonify(draft_json(saved))


@bp.post("/drafts/<draft_id>/submit")
@roles_required(*DRAFT_ROLES)
@draft_api
def submit_draft(draft_id: str) -> Response:
    wired = services()
    with transaction(wired.sessions) as session:
        workflow.submit_draft(session, wired.settings, _editor(), draft_id, now=utcnow())
        draft = workflow.get_draft(session, wired.repository, draft_id)
    return jsonify(draft_json(draft))


@bp.post("/drafts/<draft_id>/approve")
@roles_required(*DRAFT_ROLES)
@draft_api
def approve_draft(draft_id: str) -> Response:
    base = _approval_base()
    wired = services()
    with transaction(wired.sessions) as session:
        outcome = publishing.publish_draft(
            session, wired.repository, wired.search, wired.settings, _editor(), draft_id,
            now=utcnow(), base=base,
        )  # fmt: skip
        draft = workflow.get_draft(session, wired.repository, draft_id)
    body = draft_json(draft)
    body["published_commit"] = outcome.result.commit
    body["golden_warnings"] = [
        {"query": g.query, "lang": g.lang, "expected": g.expected, "rank": g.rank}
        for g in outcome.lost_golden
    ]
    return jsonify(body)


def _approval_base() -> str | None:
    """The optional ``base`` of an approval: the version reviewed (no body: not checked)."""
    if not request.get_data(cache=True):
        return None
    body = _payload()
    if "base" not in body or body["base"] is None:
        return None
    base = body["base"]
    if not isinstance(base, str) or not is_oid(base):
        raise workflow.InvalidDraft({"base": "Send the version you reviewed (a commit id)."})
    return base


@bp.post("/drafts/<draft_id>/request-changes")
@roles_required(*DRAFT_ROLES)
@draft_api
def request_changes(draft_id: str) -> Response:
    body = _payload()
    comment = body.get("comment")
    if not isinstance(comment, str):
        raise workflow.InvalidDraft({"comment": "Say what should change."})
    wired = services()
    with transaction(wired.sessions) as session:
        workflow.request_changes(
            session, wired.settings, _editor(), draft_id, comment, now=utcnow()
        )
        draft = workflow.get_draft(session, wired.repository, draft_id)
    return jsonify(draft_json(draft))


@bp.get("/articles/<article_id>/history")
def article_history(article_id: str) -> tuple[Response, int] | Response | BaseResponse:
    lang = request.args.get("lang") or None
    if lang is not None and lang not in ("ar", "en"):
        raise BadParameter("lang must be ar or en")
    editor = current_editor()
    staff = editor is not None and bool(editor.roles & STAFF_ROLES)
    entry = services().search.get_entry(article_id, lang, "all" if staff else "public")
    if entry is None:
        body, status = error_response(404)
        return body, status  # type: ignore[return-value]
    versions = workflow.article_history(services().repository, entry.path)
    return jsonify(
        {
            "id": entry.id,
            "lang": entry.lang,
            "path": entry.path,
            "versions": [
                {
                    "commit": v.commit,
                    "author": v.author_name,
                    "date": _time(v.date),
                    "message": v.message,
                    "reviewed_by": v.reviewed_by,
                }
                for v in versions
            ],
        }
    )
