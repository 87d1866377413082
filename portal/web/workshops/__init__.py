"""Blueprint ``workshops`` (``/workshops``): upcoming and past sessions of workshop guides."""

from portal.web.workshops.views import bp

__all__ = ["bp"]
