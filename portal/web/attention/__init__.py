"""Blueprints ``attention`` (``/attention``: knowledge managers' needs-attention, feedback and
translation pages) and ``feedback`` (the public "Was this helpful?" vote on article pages)."""

from portal.web.attention import learned as _learned  # noqa: F401  (its routes join bp)
from portal.web.attention.feedback import feedback_bp
from portal.web.attention.views import bp

__all__ = ["bp", "feedback_bp"]
