"""Blueprint ``api`` (``/api/v1``): the stable, read-only JSON contract (docs/api.md)."""

from portal.web.api.views import bp

__all__ = ["bp"]
