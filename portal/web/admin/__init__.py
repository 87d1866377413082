"""Administration pages (``/admin``: people, jobs), for the ``admin`` role."""

from portal.web.admin import jobs as _jobs  # noqa: F401  (registers /admin/jobs on bp)
from portal.web.admin.views import bp

__all__ = ["bp"]
