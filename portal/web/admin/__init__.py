"""User administration pages (``/admin``), for the ``admin`` role."""

from portal.web.admin.views import bp

__all__ = ["bp"]
