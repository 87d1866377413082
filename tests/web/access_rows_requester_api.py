"""Access rows for POST /api/v1/tickets/<reference>/rate|confirm|reopen: the ticket is new, so
its requester is told the state does not allow it yet (409); staff who work it may not rate
or confirm for the requester (403) and may not reopen a ticket that is not resolved (409);
strangers get 404; visitors must sign in. Answers as the ticket pages' forms."""

from __future__ import annotations

from tests.web.access_common import LOGIN

ROWS = {
    ("api.rate", "POST"): ((LOGIN, 409, 403, 404, 404, 403), ("json", {})),
    ("api.confirm", "POST"): ((LOGIN, 409, 403, 404, 404, 403), ("json", {})),
    ("api.reopen", "POST"): ((LOGIN, 409, 409, 404, 404, 409), ("json", {})),
}
