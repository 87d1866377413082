"""The job runner: one runner for all periodic work (docs/jobs.md).

``JOBS`` (``portal.jobs.builtin``) is the registry; ``Runner`` runs the due ones under a
lease in the database, so that across every worker and host each job runs once at a time;
``portal.jobs.service`` is what the admin page and the CLI show and do.
"""

from __future__ import annotations

from portal.jobs.runner import BackgroundRunner, Job, JobContext, Runner, RunResult, Summary

__all__ = ["EXTENSION", "BackgroundRunner", "Job", "JobContext", "RunResult", "Runner", "Summary"]

# Where the web app keeps this process's BackgroundRunner (app.extensions), if it runs one.
EXTENSION = "sanad_jobs"
