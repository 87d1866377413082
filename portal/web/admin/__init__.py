"""Administration pages (``/admin``: people, jobs, teams, routing), for the ``admin`` role."""

from portal.web.admin import jobs as _jobs  # noqa: F401  (registers /admin/jobs on bp)
from portal.web.admin import mail as _mail  # noqa: F401  (registers /admin/outbox, /admin/mailbox)
from portal.web.admin import routing as _routing  # noqa: F401  (registers /admin/routing)
from portal.web.admin import teams as _teams  # noqa: F401  (registers /admin/teams)
from portal.web.admin.views import bp

__all__ = ["bp"]
