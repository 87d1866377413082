"""The ``sanad`` command: a Flask CLI group over ``create_app``. Commands call services only.

``base`` holds the root group ``main`` (the ``sanad`` entry point) and the shared helpers; each
other module adds one command group to it when imported here.
"""

from portal.cli import (  # noqa: F401  # importing a module registers its commands on main
    accounts,
    articles,
    attention,
    jobs,
    mail,
    search,
    settings,
    sla,
)
from portal.cli.accounts import demo_enabled, ensure_demo
from portal.cli.base import database_failure, main
from portal.cli.jobs import job_runner
from portal.cli.serve import prepare, start_job_runner

__all__ = [
    "database_failure",
    "demo_enabled",
    "ensure_demo",
    "job_runner",
    "main",
    "prepare",
    "start_job_runner",
]
