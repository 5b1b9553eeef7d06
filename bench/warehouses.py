"""Fresh, throwaway databases for the benchmarks: SQLite files and PostgreSQL.

PostgreSQL is the server the tests use (127.0.0.1:5432, user postgres, trust
auth); ``HARVESTER_TEST_PG_DSN`` names another, as it does for the tests.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

DATABASES = ("sqlite", "postgresql")
PG_ADMIN_DSN = os.environ.get(
    "HARVESTER_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=test"
)


def _pg_url(database: str) -> str:
    params = dict(part.split("=", 1) for part in PG_ADMIN_DSN.split())
    host, port, user = params["host"], params.get("port", "5432"), params["user"]
    return f"postgresql+psycopg://{user}@{host}:{port}/{database}"


@contextmanager
def fresh_database(kind: str) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database, removed afterwards.

    Args:
        kind: "sqlite" (a file in a new temporary folder) or "postgresql"
            (a new database on the test server).
    """
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="harvester-bench-"))
        try:
            yield f"sqlite:///{folder / 'warehouse.db'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return

    if kind != "postgresql":
        raise ValueError(f"database kind '{kind}' is not sqlite or postgresql")
    name = f"harvester_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        yield _pg_url(name)
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            statement = sql.SQL("drop database if exists {} with (force)")
            conn.execute(statement.format(sql.Identifier(name)))
