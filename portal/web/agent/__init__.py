"""Blueprint ``agent`` (``/agent``): the queue and the working page of a ticket."""

from portal.web.agent import promote as _promote  # noqa: F401  (registers its routes)
from portal.web.agent import workspace as _workspace  # noqa: F401  (the queue, views, bulk)
from portal.web.agent.views import bp

__all__ = ["bp"]
