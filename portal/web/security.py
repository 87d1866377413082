"""Response hardening: security headers on every response, and same-site redirect targets."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from portal.web.context import services

# No 'unsafe-inline' anywhere: templates carry no inline script, style attribute or event
# handler, so an injected one is inert. Images may come from https: because articles link
# screenshots hosted elsewhere; everything else is same-origin.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data: https:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    )
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def add_security_headers(response: Response) -> Response:
    """Set the headers on every response, error pages and static files included."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def cookie_secure() -> bool:
    """Whether this response's cookies get ``Secure``: always with SANAD_SESSION_COOKIE_SECURE,
    else whenever the request came over HTTPS, directly or through a trusted proxy (ProxyFix,
    SANAD_TRUSTED_PROXIES, makes ``X-Forwarded-Proto`` the request's scheme). Plain-http
    development on localhost keeps working; an untrusted client's header changes nothing."""
    return services().settings.web.session_cookie_secure or request.is_secure


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: the locale switch is no open redirect.

    Browsers treat ``//host``, ``/\\host`` and URLs with control characters or a scheme as other
    sites, so only a plain absolute path without them is accepted.
    """
    if not target or len(target) > 2000:
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    if not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def init_security(app: Flask) -> None:
    app.after_request(add_security_headers)
