"""Blueprint ``api`` (``/api/v1``): the stable, read-only JSON contract (docs/api.md)."""

from portal.web.api import canned as _canned  # noqa: F401  (GET …/canned-responses)
from portal.web.api import drafts as _drafts  # noqa: F401  (registers the draft routes)
from portal.web.api import feedback as _feedback  # noqa: F401  (POST …/feedback)
from portal.web.api import presence as _presence  # noqa: F401  (…/tickets/<ref>/presence)
from portal.web.api import promote as _promote  # noqa: F401  (registers POST …/promote)
from portal.web.api import reports as _reports  # noqa: F401  (GET …/reports/<name>)
from portal.web.api import requester as _requester  # noqa: F401  (rate, confirm, reopen)
from portal.web.api import tickets as _tickets  # noqa: F401  (registers the ticket routes)
from portal.web.api.views import bp

__all__ = ["bp"]
