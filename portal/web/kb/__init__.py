"""Blueprint ``kb`` (``/kb``): category pages and article pages."""

from portal.web.kb.views import bp

__all__ = ["bp"]
