"""Where the reporting views read the warehouse: DuckDB scanner calls without secrets.

An ``ATTACH`` lives only as long as the session that ran it, so a stored view
naming an attached database breaks in the next session. The views call the
scanner table functions instead (``sqlite_scan(path, table)``,
``postgres_scan_pushdown(conninfo, schema, table)``), which carry the whole location
in the view text and work in any fresh session. That text is stored in the
reporting file, so it never holds a password: a PostgreSQL reader brings its
own through libpq (``PGPASSWORD``, ``~/.pgpass`` or a service file).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import URL

from harvester import defaults
from harvester.errors import ReportingError
from harvester.reporting.identifiers import quote_literal
from harvester.reporting.writer import LIBPQ_ENV
from harvester.warehouse.db import connect_warehouse, mask_url

_environ_lock = threading.Lock()


@dataclass(frozen=True)
class WarehouseSource:
    """How DuckDB reaches the warehouse.

    Attributes:
        backend: ``sqlite`` or ``postgresql``.
        location: the absolute SQLite path, or a libpq conninfo with no
            password.
        schema: the PostgreSQL schema of the tables (empty for SQLite).
        password: the password of the warehouse URL, for this process only.
    """

    backend: str
    location: str
    schema: str = ""
    password: str | None = field(default=None, repr=False)

    def scan(self, table: str) -> str:
        """The scanner call that reads one warehouse table, as DuckDB SQL.

        PostgreSQL tables are read with ``postgres_scan_pushdown``, which
        hands the query's filters to the server (``postgres_scan`` copies the
        whole table). DuckDB's SQLite scanner has no such variant.
        """
        if self.backend == "sqlite":
            return (
                f"sqlite_scan({quote_literal(self.location)}, {quote_literal(table)})"
            )
        return (
            f"postgres_scan_pushdown({quote_literal(self.location)}, "
            f"{quote_literal(self.schema)}, {quote_literal(table)})"
        )


def describe_source(engine: Engine) -> WarehouseSource:
    """The scanner location of the warehouse an engine connects to.

    Raises:
        ReportingError: the warehouse is an in-memory SQLite database, which
            no other process can read.
        WarehouseError: the PostgreSQL server cannot be reached.
    """
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return WarehouseSource("sqlite", str(_sqlite_path(url)))

    with connect_warehouse(engine) as conn:
        schema = conn.execute(text("select current_schema()")).scalar_one()
    return WarehouseSource(
        "postgresql", libpq_conninfo(url), schema=str(schema), password=url.password
    )


def _sqlite_path(url: URL) -> Path:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        raise ReportingError(
            f"warehouse '{mask_url(url)}' is not a plain SQLite file path; "
            "the reporting views can only read a file such as "
            "'sqlite:///harvester.db'"
        )
    return Path(database).resolve()


def libpq_conninfo(url: URL) -> str:
    """The libpq connection string of a PostgreSQL URL, without its password.

    Query parameters of the URL are libpq keywords (psycopg passes them on),
    so they are kept, except any password among them.
    """
    params: dict[str, str] = {}
    if url.host:
        params["host"] = url.host
    if url.port:
        params["port"] = str(url.port)
    if url.username:
        params["user"] = url.username
    if url.database:
        params["dbname"] = url.database

    for key, value in url.query.items():
        if key != "password":
            params[key] = value if isinstance(value, str) else value[-1]
    params.setdefault(
        "connect_timeout", str(defaults.DEFAULT_DATABASE_CONNECT_TIMEOUT_SECONDS)
    )
    return " ".join(f"{key}={_conninfo_value(value)}" for key, value in params.items())


def _conninfo_value(value: str) -> str:
    # libpq conninfo quoting: single quotes, with backslash and quote escaped.
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


@contextmanager
def libpq_password(password: str | None) -> Iterator[None]:
    """Lends the warehouse password to libpq for the duration of the block.

    The views hold no password, so this process's own DuckDB sessions get it
    through ``PGPASSWORD``, unless the environment already sets one. The
    variable is restored afterwards; a lock keeps concurrent builds and
    queries of this process from restoring each other's value early.
    """
    if not password:
        yield
        return

    with _environ_lock:
        previous = os.environ.get(LIBPQ_ENV)
        if previous is None:
            os.environ[LIBPQ_ENV] = password
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(LIBPQ_ENV, None)
