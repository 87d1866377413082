"""``/attention/learned``: what search learned from use, and removing an association.

Thin over ``portal.editorial.learning`` (which holds the role check)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from portal.db import transaction, utcnow
from portal.editorial import learning
from portal.web.attention.forms import RemoveLearnedForm
from portal.web.attention.views import MANAGERS, bp
from portal.web.auth.access import current_account, roles_required
from portal.web.context import services
from portal.web.forms import MAX_PAGE
from portal.web.pagination import page_numbers
from portal.web.params import whole_number


@bp.get("/learned")
@roles_required(*MANAGERS)
def learned() -> str:
    wired = services()
    removed = request.args.get("show") == "removed"
    number = whole_number(request.args.get("page"), 1, MAX_PAGE) or 1
    with transaction(wired.sessions) as session:
        listing = learning.list_associations(
            session, wired.settings.search, current_account(), page=number, removed=removed
        )
    titles = {(a.id, a.lang): a.title for a in wired.repository.load_all().articles}

    def page_url(page: int) -> str:
        return url_for("attention.learned", page=page, show="removed" if removed else None)

    return render_template(
        "attention/learned.html",
        listing=listing,
        titles=titles,
        removed=removed,
        min_sessions=wired.settings.search.learn_min_sessions,
        form=RemoveLearnedForm(),
        page_numbers=page_numbers(listing.page, listing.pages),
        page_url=page_url,
    )


@bp.post("/learned/<int:association_id>/remove")
@roles_required(*MANAGERS)
def remove_learned(association_id: int) -> BaseResponse:
    back = redirect(url_for("attention.learned"), code=303)
    if not RemoveLearnedForm().validate():
        flash(_("The form expired. Please try again."), "error")
        return back
    wired = services()
    try:
        with transaction(wired.sessions) as session:
            learning.remove_association(
                session, wired.settings.search, current_account(), association_id, now=utcnow()
            )
    except learning.AssociationNotFound:
        abort(404)
    if wired.search.learned is not None:
        wired.search.learned.refresh()  # this worker stops boosting it at once
    flash(_("Removed. Search no longer uses this association."), "success")
    return back
