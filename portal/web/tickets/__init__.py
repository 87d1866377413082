"""Blueprint ``tickets`` (``/tickets``): "Still need help?" and the requester's tickets."""

from portal.web.tickets.views import bp

__all__ = ["bp"]
