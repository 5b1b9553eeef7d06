"""Runs SQL against the reporting file, opened read-only.

Read-only sessions take a shared lock on the file, so any number of readers
(``harvester sql``, ``harvester report``, BI tools) run beside each other and
beside a rebuild, which writes a new file and renames it into place.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from harvester.config import Settings
from harvester.errors import QueryError, ReportingError
from harvester.reporting.extensions import load_scanner, one_line
from harvester.reporting.sources import libpq_password
from harvester.warehouse.db import parse_database_url


@dataclass(frozen=True)
class QueryResult:
    """The columns and rows a query returned (none for a statement)."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


@contextmanager
def open_reporting(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only DuckDB session on the reporting file.

    The bundled scanner extension is loaded and, for a PostgreSQL
    warehouse, the password of ``HARVESTER_DATABASE_URL`` is lent to libpq,
    since the views themselves hold none.

    With a SQLite warehouse, the calling process must hold no open sqlite3
    connection to it (dispose of its engine first): DuckDB reads it with its
    own copy of SQLite, and two copies in one process break each other's
    locks and can crash the process (see ``harvester.reporting.writer``).

    Raises:
        ReportingError: the file does not exist or cannot be opened.
    """
    path = Path(settings.reporting_path)
    if not path.is_file():
        raise ReportingError(
            f"reporting file '{path}' does not exist; "
            "run `harvester reporting build` to create it"
        )
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise ReportingError(
            f"reporting file '{path}' cannot be opened: {one_line(str(exc))}"
        ) from exc

    try:
        # Only the warehouse's own scanner: each load costs a signature check.
        url = parse_database_url(settings.database_url)
        load_scanner(conn, url.get_backend_name())
        with libpq_password(url.password):
            yield conn
    finally:
        conn.close()


def run_query(settings: Settings, query: str) -> QueryResult:
    """Runs one query (or several statements) against the reporting views.

    Raises:
        ReportingError: the reporting file is missing or cannot be opened.
        QueryError: DuckDB refused or failed the query; the message is
            DuckDB's, on one line.
    """
    with open_reporting(settings) as conn:
        try:
            cursor = conn.execute(query)
            description = cursor.description or []
            rows = cursor.fetchall() if description else []
        except duckdb.Error as exc:
            raise QueryError(one_line(str(exc))) from exc
    return QueryResult(tuple(column[0] for column in description), rows)


def fetch_dicts(conn: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    """Rows of a query as dicts, for code that reads the views by column name.

    Raises:
        QueryError: DuckDB refused or failed the query.
    """
    try:
        cursor = conn.execute(query)
        names = [column[0] for column in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    except duckdb.Error as exc:
        raise QueryError(one_line(str(exc))) from exc
