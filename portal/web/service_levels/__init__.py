"""``/admin/service-levels``: calendars, holidays, overrides, policies and root-cause codes."""

from portal.web.service_levels.views import bp

__all__ = ["bp"]
