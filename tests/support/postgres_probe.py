"""``python -m tests.support.postgres_probe URL``: does the PostgreSQL of the second run answer?

Exit 0 when it does. Otherwise print the driver's own error (refused, unknown host, bad
database, timeout...) and exit 2, which ``make pytest-postgres`` reads as "skip", or 1 under
CI=true, where a missing PostgreSQL must fail the run.
"""

from __future__ import annotations

import sys

import sqlalchemy

from tests.support.prerequisites import CI


def main(url: str) -> int:
    shown = sqlalchemy.make_url(url).render_as_string(hide_password=True)
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        engine.connect().close()
    except Exception as error:  # any failure to connect is the answer we report
        cause = getattr(error, "orig", None) or error
        verdict = "FAILED (CI=true needs it)" if CI else "SKIPPED, the suite ran on SQLite only"
        print(f"PostgreSQL at {shown} does not answer: {verdict}", file=sys.stderr)
        print(f"  {type(cause).__name__}: {str(cause).strip()}", file=sys.stderr)
        return 1 if CI else 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
