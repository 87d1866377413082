""" "Promote to article": the confirmation page (similar articles first) and the action.

Registered on the agent blueprint; knowledge managers may promote too, so the roles here are
wider than the rest of ``/agent``. Which ticket a person may promote is the service's rule
(``portal.editorial.promotion``): 404 for tickets they may not see.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from portal.db import transaction
from portal.editorial.promotion import (
    AlreadyPromoted,
    similar_for_ticket,
)
from portal.kb.workflow import Editor, InvalidDraft, NotAllowed, StaleBase
from portal.tickets.errors import InvalidTransition
from portal.web.agent.views import bp
from portal.web.auth.access import current_editor, roles_required
from portal.web.context import services
from portal.web.tickets import actions
from portal.web.tickets.forms import ActionForm

PROMOTERS = ("agent", "knowledge_manager", "admin")
DRAFT_ENDPOINT = "review.draft"
# Who may open a draft page (portal.web.review): reviewers and writers, not agents.
DRAFT_READERS = frozenset({"knowledge_manager", "admin", "author"})


def _editor() -> Editor:
    editor = current_editor()
    assert editor is not None  # roles_required let only signed-in staff through
    return editor


def draft_url(editor: Editor, draft_id: str, reference: str) -> str:
    """The draft's page for those who may open it (the review pages, when they exist);
    agents go back to the ticket, where the draft is in the history."""
    if DRAFT_ENDPOINT in current_app.view_functions and editor.roles & DRAFT_READERS:
        return url_for(DRAFT_ENDPOINT, draft_id=draft_id)
    return url_for("agent.ticket", reference=reference)


@bp.get("/tickets/<reference>/promote")
@roles_required(*PROMOTERS)
def promote_page(reference: str) -> Any:
    wired = services()
    with transaction(wired.sessions) as session:
        preview = similar_for_ticket(session, wired.search, _editor(), reference)
    editor = _editor()
    open_draft = None
    if preview.open_draft_id and editor.roles & DRAFT_READERS:
        open_draft = draft_url(editor, preview.open_draft_id, preview.ticket.reference)
    return render_template("agent/promote.html", preview=preview, open_draft_url=open_draft)


@bp.post("/tickets/<reference>/promote")
@roles_required(*PROMOTERS)
def promote(reference: str) -> BaseResponse:
    wired = services()
    back = url_for("agent.promote_page", reference=reference)
    if not ActionForm().validate():  # only the CSRF token can fail here
        flash(_("The form expired. Please try again."), "error")
        return redirect(back, code=303)
    try:
        with transaction(wired.sessions) as session:
            outcome = actions.promote(session, _editor(), reference)
    except AlreadyPromoted:
        flash(_("A draft from this ticket is already in progress."), "error")
        return redirect(back, code=303)
    except InvalidTransition:
        flash(_("Only a resolved or closed ticket can become an article."), "error")
        return redirect(back, code=303)
    except NotAllowed:
        flash(_("You may not create this draft."), "error")
        return redirect(back, code=303)
    except (InvalidDraft, StaleBase) as error:
        flash(_("The draft was not created: %(reason)s", reason=str(error)), "error")
        return redirect(back, code=303)
    flash(_("Draft created. It now goes through review before it is published."), "success")
    return redirect(draft_url(_editor(), outcome.draft.id, reference), code=303)
