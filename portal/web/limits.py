"""Rate limits (flask-limiter): one ``limiter`` for the whole web layer, and the limits views use.

Counters live in ``Settings.ratelimits.storage_url`` (``SANAD_RATELIMIT_STORAGE_URL``):
``database://`` (the default) counts in the application's own database
(``portal.web.rate_limit_storage``), so a limit holds across every worker and host that
shares it; ``redis://127.0.0.1:6379`` does the same in Redis, sparing the database a write
per limited request; ``memory://`` counts per worker process, so N workers allow up to N
times each limit (for a single process only). Limits are off in testing apps unless a test
calls ``enable_limits(app)``. A breach raises ``RateLimitExceeded`` (a 429
``HTTPException``), which ``portal.web.errors`` answers with the usual error page or JSON.

The default key is the signed-in user, else the client address, so
``@limiter.limit(TICKET_CREATE_LIMIT)`` counts per person; the log-in form counts per address
(``key_func=client_ip``) and per typed e-mail address (``key_func=login_email``).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter

from portal.web import rate_limit_storage  # noqa: F401  (registers the database:// scheme with limits)
from portal.web.auth.session import signed_in_user

LOGIN_LIMIT = "10 per minute"
PASSWORD_RESET_LIMIT = "5 per hour"  # noqa: S105  (a rate, not a password)
REGISTRATION_LIMIT = "5 per hour"
TICKET_CREATE_LIMIT = "10 per hour"
# The ticket page and the API are two doors to one action: they share one budget per person
# (``limiter.shared_limit``), or using both would double the documented figure.
TICKET_CREATE_SCOPE = "ticket-create"


REPLAYED_HEADER = "Idempotent-Replayed"


def not_a_replay(response: Response) -> bool:
    """``deduct_when`` for ticket creation: a retry answered from its ``Idempotency-Key``
    opened nothing, so it does not use up the budget (a client may retry freely)."""
    return response.headers.get(REPLAYED_HEADER) != "true"


def client_ip() -> str:
    """The client address; behind a reverse proxy, SANAD_TRUSTED_PROXIES makes it the visitor's."""
    return request.remote_addr or "unknown"


def user_or_ip() -> str:
    """Signed-in people are counted by account (shared offices share one address)."""
    user = signed_in_user()
    if user is not None:
        return f"user:{user.id}"
    return f"ip:{client_ip()}"


def login_email() -> str:
    """The address typed into the log-in form: spreading guesses over many IPs does not help."""
    typed = request.form.get("email", "")
    return "email:" + " ".join(typed.split()).lower()[:320]


limiter = Limiter(key_func=user_or_ip, strategy="fixed-window")
ENABLED_KEY = "SANAD_RATE_LIMITS"  # per application; the limiter object is shared by every app


@limiter.request_filter
def _limits_off() -> bool:
    return not current_app.config.get(ENABLED_KEY, True)


def init_limits(app: Flask, storage_url: str) -> None:
    """Attach the limiter; testing apps run without limits (see ``enable_limits``)."""
    app.config["RATELIMIT_STORAGE_URI"] = storage_url
    app.config["RATELIMIT_ENABLED"] = True  # hooks always installed; ENABLED_KEY switches them
    app.config["RATELIMIT_KEY_PREFIX"] = "sanad"
    app.config[ENABLED_KEY] = not app.testing
    limiter.init_app(app)


def enable_limits(app: Flask) -> None:
    """Turn the limits on for a testing app, with fresh counters (for the rate-limit tests)."""
    app.config[ENABLED_KEY] = True
    with app.app_context():  # the database storage clears the counters of this app's database
        limiter.reset()
