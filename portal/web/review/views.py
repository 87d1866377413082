"""Editing and reviewing articles in the browser: the queue, the editor, history and diffs.

Thin over ``portal.kb.workflow`` (drafts, history, diffs) and ``portal.editorial.publishing``
(approval with index sync and golden checks). The services decide who may do what
(``portal.kb.draft_access``); a draft or article one may not open becomes 404/403 through the
error map in ``portal.web.errors``, and a refused step becomes a message on the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from portal.config import LOCALES
from portal.db import transaction, utcnow
from portal.editorial import publishing
from portal.kb import draft_access, workflow
from portal.kb.approval import DRAFT_MOVED
from portal.kb.article_edits import find_live_article
from portal.kb.models import KINDS, Article, KbError
from portal.kb.rendering import render_markdown
from portal.kb.workflow import (
    EDITOR_ROLES,
    DraftView,
    Editor,
    InvalidDraft,
    NotAllowed,
    StaleBase,
    WorkflowError,
)
from portal.web.auth.access import current_editor, roles_required
from portal.web.context import services, ui_lang
from portal.web.errors import kb_field_message, kb_message
from portal.web.forms import MAX_PAGE, clean_text
from portal.web.pagination import page_numbers
from portal.web.params import whole_number
from portal.web.review.forms import (
    ActionForm,
    ApproveForm,
    ArchiveForm,
    CommentForm,
    DraftForm,
    PreviewForm,
    RestoreForm,
)

bp = Blueprint("review", __name__, url_prefix="/review")

STAFF = ("knowledge_manager", "admin", "author", "trainer")
RECENT = 10


def _editor() -> Editor:
    editor = current_editor()
    assert editor is not None  # roles_required let only signed-in staff through
    return editor


def actions_for(editor: Editor, draft: DraftView) -> frozenset[str]:
    """Which buttons this person gets on this draft (the service checks again)."""
    return draft_access.actions_for(editor, draft.facts, services().settings)


def categories() -> dict[str, str]:
    lang = ui_lang()
    return {slug: c.name(lang) for slug, c in services().repository.categories().items()}


def load_draft(draft_id: str) -> DraftView:
    """The draft as this person may open it (else the error map answers 404 or 403)."""
    wired = services()
    with transaction(wired.sessions) as session:
        return workflow.open_draft(session, wired.repository, _editor(), draft_id)


def new_form(editor: Editor, **kwargs: Any) -> DraftForm:
    form = DraftForm(**kwargs)
    form.setup(draft_access.writable_kinds(editor), categories())
    return form


def preview_of(form: DraftForm) -> str:
    """The body as readers will see it, so the page shows a preview even without JS."""
    return render_markdown(form.markdown.data or "", user=True).html


def attach_errors(form: DraftForm, error: InvalidDraft) -> None:
    """The service's field errors on the same fields; others above the form."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), kb_field_message(message)]
        else:
            form.form_errors.append(kb_field_message(message))


# --- the queue ------------------------------------------------------------------------------


@bp.get("/")
@roles_required(*STAFF)
def queue() -> str:
    lang = request.args.get("lang", "")
    kind = request.args.get("kind", "")
    text = clean_text(request.args.get("q"), 200)
    editor = _editor()
    with transaction(services().sessions) as session:
        found = workflow.review_queue(
            session, editor,
            lang=lang if lang in LOCALES else None, kind=kind if kind in KINDS else None,
            text=text, recent=RECENT,
            page=whole_number(request.args.get("page"), 1, MAX_PAGE) or 1,
        )  # fmt: skip

    def page_url(page: int) -> str:
        return url_for(
            "review.queue", lang=lang or None, kind=kind or None, q=text or None, page=page
        )

    return render_template(
        "review/queue.html",
        found=found,
        page_numbers=page_numbers(found.page, found.pages),
        page_url=page_url,
        waiting=found.waiting,
        mine=found.mine,
        published=found.published,
        from_tickets=found.from_tickets,
        chosen={"lang": lang, "kind": kind, "q": text},
        kinds=draft_access.writable_kinds(editor),
        may_create=True,
    )


# --- new draft ------------------------------------------------------------------------------


@bp.get("/drafts/new")
@roles_required(*STAFF)
def new_draft() -> Any:
    editor = _editor()
    article_id = request.args.get("article_id", "")
    lang = request.args.get("lang", "")
    form = new_form(editor)
    article = None
    others: tuple[DraftView, ...] = ()
    if article_id:
        article = workflow.article_to_edit(services().repository, editor, lang, article_id)
        form.fill(workflow.input_from_article(article))
        form.article_id.data = article.id
        form.base.data = workflow.published_version(services().repository, article.path) or ""
        with transaction(services().sessions) as session:
            others = workflow.drafts_of_article(session, editor, article.id, article.lang)
    else:
        form.lang.data = lang if lang in LOCALES else ui_lang()
        if "trainer" in editor.roles and not editor.roles & EDITOR_ROLES:
            form.kind.data = "workshop"
            form.category.data = "workshops" if "workshops" in categories() else None
    form.pad_rows()
    return render_template(
        "review/new.html",
        form=form,
        article=article,
        others=others,
        conflict=None,
        preview_html=preview_of(form),
    )


@bp.post("/drafts/new")
@roles_required(*STAFF)
def create_draft() -> Any:
    editor = _editor()
    wired = services()
    form = new_form(editor)
    article_id = form.article_id.data or None
    article = None
    if article_id:
        article = find_live_article(wired.repository, form.lang.data or "", article_id)
        if article is None:
            raise workflow.ArticleGone(f"No article {article_id!r}.")

    def again(status: int, conflict: Any = None) -> tuple[str, int]:
        form.pad_rows()
        page = render_template(
            "review/new.html",
            form=form,
            article=article,
            others=(),
            conflict=conflict,
            preview_html=preview_of(form),
        )
        return page, status

    if not (form.validate() & form.validate_rows()):
        return again(400)
    kept = dict(article.extra) if article is not None else {}
    try:
        with transaction(wired.sessions) as session:
            draft = workflow.create_draft(
                session,
                wired.repository,
                wired.settings,
                editor,
                form.to_input(kept),
                article_id=article_id,
                base=form.base.data or None,
                now=utcnow(),
            )
    except InvalidDraft as error:
        attach_errors(form, error)
        return again(400)
    except NotAllowed as error:
        form.form_errors.append(kb_message(error))
        return again(403)
    except StaleBase as error:
        # The live article changed while this person was typing: show it, keep their text.
        assert article is not None
        fresh = find_live_article(wired.repository, article.lang, article.id)
        form.base.data = error.current or ""
        return again(409, conflict=fresh.body if fresh else "")
    flash(_("Draft saved. The live article is unchanged until the draft is approved."), "success")
    return redirect(url_for("review.draft", draft_id=draft.id), code=303)


# --- the draft page -------------------------------------------------------------------------


def render_draft(
    draft: DraftView,
    form: DraftForm | None = None,
    *,
    comment_form: CommentForm | None = None,
    conflict: DraftView | None = None,
    status: int = 200,
) -> tuple[str, int]:
    editor = _editor()
    wired = services()
    if form is None:
        form = new_form(editor)
        form.fill(draft.data)
        form.base.data = draft.base
    form.pad_rows()
    diff: workflow.FileDiff | None
    since_review: workflow.FileDiff | None
    try:
        diff = workflow.diff_draft(wired.repository, draft)
        since_review = (
            workflow.diff_versions(wired.repository, draft.path, draft.reviewed_version, draft.base)
            if draft.reviewed_version and draft.reviewed_version != draft.base
            else None
        )
    except KbError:
        diff = since_review = None
    refusal = None
    if draft.status == "review" and draft_access.may_review(editor):
        said = draft_access.approval_refusal(editor, draft.facts, wired.settings)
        refusal = kb_field_message(said) if said else None
    approve_form = ApproveForm()
    approve_form.base.data = draft.base
    page = render_template(
        "review/draft.html",
        draft=draft,
        form=form,
        comment_form=comment_form or CommentForm(),
        action_form=ActionForm(),
        approve_form=approve_form,
        actions=actions_for(editor, draft),
        diff=diff,
        since_review=since_review,
        refusal=refusal,
        conflict=conflict,
        own=draft.author_id == editor.id,
        preview_html=preview_of(form),
    )
    return page, status


@bp.get("/drafts/<draft_id>")
@roles_required(*STAFF)
def draft(draft_id: str) -> Any:
    return render_draft(load_draft(draft_id))


@bp.post("/drafts/<draft_id>")
@roles_required(*STAFF)
def save(draft_id: str) -> Any:
    editor = _editor()
    wired = services()
    found = load_draft(draft_id)
    form = new_form(editor)
    # The language of an existing draft is fixed: it names the file.
    form.lang.data = found.lang
    if "save" not in actions_for(editor, found):
        flash(_("This draft can no longer be changed."), "error")
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    if not (form.validate() & form.validate_rows()):
        return render_draft(found, form, status=400)
    if not form.base.data:
        form.form_errors.append(_("The form is incomplete. Reload the page and try again."))
        return render_draft(found, form, status=400)
    try:
        with transaction(wired.sessions) as session:
            saved = workflow.save_draft(
                session,
                wired.repository,
                wired.settings,
                editor,
                draft_id,
                form.to_input(found.data.extra),
                base=form.base.data,
                now=utcnow(),
            )
    except InvalidDraft as error:
        attach_errors(form, error)
        return render_draft(found, form, status=400)
    except NotAllowed as error:
        flash(kb_message(error), "error")
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    except StaleBase:
        # Someone saved first. Keep what this person typed; show the version there now, and
        # take it as the new base so saving again is a deliberate choice after merging.
        current = load_draft(draft_id)
        form.base.data = current.base
        return render_draft(current, form, conflict=current, status=409)
    if form.then.data == "submit" and saved.status == "draft":
        return _submit(editor, draft_id)
    if found.status == "review":
        flash(
            _(
                "Draft saved. A change takes the draft out of review: send it for review "
                "again when it is ready."
            ),
            "warning",
        )
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    flash(_("Draft saved. The live article is unchanged until the draft is approved."), "success")
    return redirect(url_for("review.draft", draft_id=draft_id), code=303)


def _submit(editor: Editor, draft_id: str) -> BaseResponse:
    wired = services()
    try:
        with transaction(wired.sessions) as session:
            workflow.submit_draft(session, wired.settings, editor, draft_id, now=utcnow())
    except WorkflowError as error:
        flash(kb_message(error), "error")
    else:
        flash(_("Sent for review. A knowledge manager will look at it."), "success")
    return redirect(url_for("review.draft", draft_id=draft_id), code=303)


def _checked(draft_id: str) -> tuple[Editor, DraftView] | BaseResponse:
    """The person and draft of a button form, or a redirect that says the form had expired."""
    found = load_draft(draft_id)
    if not ActionForm().validate():
        flash(_("The form expired. Please try again."), "error")
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    return _editor(), found


@bp.post("/drafts/<draft_id>/submit")
@roles_required(*STAFF)
def submit(draft_id: str) -> BaseResponse:
    checked = _checked(draft_id)
    if isinstance(checked, BaseResponse):
        return checked
    return _submit(checked[0], draft_id)


@bp.post("/drafts/<draft_id>/approve")
@roles_required(*STAFF)
def approve(draft_id: str) -> BaseResponse:
    found = load_draft(draft_id)
    form = ApproveForm()
    back = redirect(url_for("review.draft", draft_id=draft_id), code=303)
    if not form.validate():
        flash(_("The form expired. Please try again."), "error")
        return back
    editor = _editor()
    wired = services()
    try:
        with transaction(wired.sessions) as session:
            outcome = publishing.publish_draft(
                session,
                wired.repository,
                wired.search,
                wired.settings,
                editor,
                draft_id,
                now=utcnow(),
                base=form.base.data or None,
            )
    except NotAllowed as error:
        flash(kb_message(error), "error")
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    except StaleBase as error:
        if str(error) == DRAFT_MOVED:
            flash(
                _(
                    "This draft changed after you opened it, so it was not published. "
                    "Look at what changed, then review it again."
                ),
                "error",
            )
            return back
        flash(
            _(
                "The live article changed after this draft was started. Start a new draft "
                "from the live version and copy your changes into it."
            ),
            "error",
        )
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    except WorkflowError as error:
        flash(kb_message(error), "error")
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    flash(_("Published. The change is live and searchable now."), "success")
    for warning in publish_warnings(outcome):
        flash(warning, "warning")
    return redirect(url_for("review.draft", draft_id=found.id), code=303)


def publish_warnings(outcome: publishing.PublishOutcome) -> list[str]:
    """Golden queries whose pinned article dropped out after publishing, as messages."""
    return [
        _(
            "Check the search: the query “%(query)s” no longer finds “%(article)s” near the top.",
            query=item.query,
            article=item.expected,
        )
        for item in outcome.lost_golden
    ]


@bp.post("/drafts/<draft_id>/request-changes")
@roles_required(*STAFF)
def request_changes(draft_id: str) -> Any:
    editor = _editor()
    found = load_draft(draft_id)
    wired = services()
    comment_form = CommentForm()
    if not comment_form.validate():
        return render_draft(found, comment_form=comment_form, status=400)
    try:
        with transaction(wired.sessions) as session:
            workflow.request_changes(
                session,
                wired.settings,
                editor,
                draft_id,
                comment_form.comment.data.strip(),
                now=utcnow(),
            )
    except WorkflowError as error:
        flash(kb_message(error), "error")
    else:
        flash(_("Sent back to the author with your comment."), "success")
    return redirect(url_for("review.draft", draft_id=draft_id), code=303)


@bp.post("/drafts/<draft_id>/discard")
@roles_required(*STAFF)
def discard(draft_id: str) -> BaseResponse:
    checked = _checked(draft_id)
    if isinstance(checked, BaseResponse):
        return checked
    editor, _found = checked
    wired = services()
    try:
        with transaction(wired.sessions) as session:
            workflow.discard_draft(session, wired.repository, editor, draft_id, now=utcnow())
    except WorkflowError as error:
        flash(kb_message(error), "error")
        return redirect(url_for("review.draft", draft_id=draft_id), code=303)
    flash(_("Draft discarded."), "success")
    return redirect(url_for("review.queue"), code=303)


# --- live preview ---------------------------------------------------------------------------


@bp.post("/preview")
@roles_required(*STAFF)
def preview() -> Any:
    form = PreviewForm()
    if not form.validate():
        return jsonify({"error": _("The text is too long to preview.")}), 400
    return jsonify({"html": render_markdown(form.markdown.data or "", user=True).html})


# --- history, diff, restore -----------------------------------------------------------------


def _article(lang: str, article_id: str) -> Article:
    """The live article this person may edit (else the error map answers 404 or 403)."""
    return workflow.article_to_edit(services().repository, _editor(), lang, article_id)


@bp.get("/articles/<lang>/<article_id>/history")
@roles_required(*STAFF)
def history(lang: str, article_id: str) -> str:
    article = _article(lang, article_id)
    versions = workflow.article_history(services().repository, article.path)
    with transaction(services().sessions) as session:
        drafts = workflow.drafts_of_article(session, _editor(), article_id, lang)
    return render_template(
        "review/history.html",
        article=article,
        versions=versions,
        drafts=drafts,
        restore_form=RestoreForm(),
        archive_form=ArchiveForm(),
    )


def _version(value: str | None, known: Mapping[str, Any]) -> str | None:
    value = (value or "").strip()
    return value if value in known else None


@bp.get("/articles/<lang>/<article_id>/diff")
@roles_required(*STAFF)
def diff(lang: str, article_id: str) -> Any:
    article = _article(lang, article_id)
    path = article.path
    versions = workflow.article_history(services().repository, path)
    known = {v.commit: v for v in versions}
    old = _version(request.args.get("old"), known)
    new = _version(request.args.get("new"), known)
    problem = None
    if (request.args.get("old") and old is None) or (request.args.get("new") and new is None):
        problem = _("Choose two versions from the lists.")
    if new is None and versions:
        new = versions[0].commit
    if old is None and len(versions) > 1:
        old = versions[1].commit
    result = None
    if old and new and not problem:
        result = workflow.diff_versions(services().repository, path, old, new)
    page = render_template(
        "review/diff.html",
        article=article,
        versions=versions,
        old=old,
        new=new,
        diff=result,
        problem=problem,
    )
    return page, 400 if problem else 200


@bp.post("/articles/<lang>/<article_id>/restore")
@roles_required(*STAFF)
def restore(lang: str, article_id: str) -> BaseResponse:
    path = _article(lang, article_id).path
    editor = _editor()
    wired = services()
    form = RestoreForm()
    known = {v.commit for v in workflow.article_history(wired.repository, path)}
    if not form.validate() or form.commit.data not in known:
        flash(_("Choose a version from the list."), "error")
        return redirect(url_for("review.history", lang=lang, article_id=article_id), code=303)
    try:
        with transaction(wired.sessions) as session:
            restored = workflow.restore_version(
                session, wired.repository, wired.settings, editor, path, form.commit.data,
                now=utcnow(),
            )  # fmt: skip
    except WorkflowError as error:
        flash(kb_message(error), "error")
        return redirect(url_for("review.history", lang=lang, article_id=article_id), code=303)
    flash(_("The old version is now a new draft. Check it and send it for review."), "success")
    return redirect(url_for("review.draft", draft_id=restored.id), code=303)


@bp.post("/articles/<lang>/<article_id>/archive")
@roles_required(*STAFF)
def archive(lang: str, article_id: str) -> BaseResponse:
    """Start a draft that archives the article; like any edit, it is published by review."""
    _article(lang, article_id)
    wired = services()
    form = ArchiveForm()
    back = url_for("review.history", lang=lang, article_id=article_id)
    if not form.validate():
        flash(_("Reload the page and try again."), "error")
        return redirect(back, code=303)
    try:
        with transaction(wired.sessions) as session:
            draft = workflow.archive_article(
                session, wired.repository, wired.settings, _editor(), article_id, lang,
                base=form.base.data, now=utcnow(),
            )  # fmt: skip
    except WorkflowError as error:
        flash(kb_message(error), "error")
        return redirect(back, code=303)
    flash(
        _("An archiving draft was created. Once approved, the article leaves the site."), "success"
    )
    return redirect(url_for("review.draft", draft_id=draft.id), code=303)
