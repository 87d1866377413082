"""Blueprint ``api`` (``/api/v1``): the stable, read-only JSON contract (docs/api.md)."""

from portal.web.api import tickets as _tickets  # noqa: F401  (registers the ticket routes)
from portal.web.api.views import bp

__all__ = ["bp"]
