"""Blueprint ``reports`` (``/reports``): the dashboards and the content gap's "start a draft"."""

from portal.web.reports.views import bp

__all__ = ["bp"]
