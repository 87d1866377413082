"""Blueprint ``home`` (``/``): the front door of the help centre."""

from portal.web.home.views import bp

__all__ = ["bp"]
