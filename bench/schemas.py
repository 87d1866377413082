"""A private PostgreSQL schema for one benchmark run, shared by the benchmarks that measure
on PostgreSQL as well as SQLite (bench/ is on the path when one of them runs)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def private_schema(server_url: str) -> Iterator[str]:
    """A fresh schema on ``server_url``; yields the URL whose search_path is that schema, and
    drops the schema with everything in it afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in server_url else "?"
    try:
        yield f"{server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
