"""Blueprint ``tickets`` (``/tickets``): "Still need help?" and the requester's tickets."""

from portal.web.tickets import visitor  # noqa: F401  (registers the private-link routes on bp)
from portal.web.tickets.views import bp

__all__ = ["bp"]
