"""Translated texts for ``SearchResults.notice`` keys (the msgids of search's ``NOTICES``)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from portal.search.querying import NOTICES

# The same English texts as portal.search.querying.NOTICES, written out so that pybabel
# extracts them; tests check that every key there has a text here.
NOTICE_TEXTS: dict[str, LazyString] = {
    "empty": _l("Type a few words to search."),
    "truncated": _l("Your search was long, so only its beginning was used."),
    "timed_out": _l("The search took too long; these results may be incomplete."),
    "syntax": _l("Some characters in your search were ignored."),
    "fuzzy": _l("No exact matches; showing close matches instead."),
}


def notice_text(key: str | None) -> str | None:
    """The notice for the person, in the interface language."""
    if not key:
        return None
    if key in NOTICE_TEXTS:
        return str(NOTICE_TEXTS[key])
    return gettext(NOTICES[key]) if key in NOTICES else None
