"""The ``jobs`` table: one row per job, its lease and its last run.

The lease columns (``holder``, ``lease_expires_at``) say who runs the job now and until when
the others must leave it alone; the ``last_*`` columns are what the admin page and
``sanad jobs list`` show. Rows are created by the first runner that looks at a job.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, UtcDateTime

NAME_LENGTH = 64
HOLDER_LENGTH = 200
DETAIL_LENGTH = 500
OK, FAILED = "ok", "failed"


class JobState(Base):
    __tablename__ = "jobs"

    name: Mapped[str] = mapped_column(String(NAME_LENGTH), primary_key=True)
    # The runner that holds the lease (host:pid:random), and until when it holds it unless
    # renewed. NULL holder: nobody runs the job now.
    holder: Mapped[str | None] = mapped_column(String(HOLDER_LENGTH))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # When the run now going on started.
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # The holder whose lease had run out when the current holder took the job over (a
    # runner that crashed or was killed), else NULL.
    taken_over_from: Mapped[str | None] = mapped_column(String(HOLDER_LENGTH))
    next_due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    last_started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_outcome: Mapped[str | None] = mapped_column(String(10))
    # The job's one-line summary ("3 ticket(s) closed"), or the error's first line.
    last_detail: Mapped[str | None] = mapped_column(String(DETAIL_LENGTH))
    # The run's figures by name as JSON ({"closed": 3}), shown in the reader's language.
    last_counts: Mapped[str | None] = mapped_column(Text)
    last_duration_ms: Mapped[int | None] = mapped_column(Integer)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # An admin's "run now", consumed by the run that starts after it.
    requested_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    requested_by: Mapped[str | None] = mapped_column(String(320))
