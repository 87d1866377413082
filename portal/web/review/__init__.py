"""Editing and reviewing articles in the browser (``/review``)."""

from portal.web.review.views import bp

__all__ = ["bp"]
