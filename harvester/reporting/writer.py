"""Writes the views into a new DuckDB file, in a child process of its own.

DuckDB reads a SQLite warehouse with its own copy of the SQLite library.
SQLite's locks are POSIX advisory locks, which belong to a process, not to a
library copy: two copies in one process neither see each other's locks nor
keep them (closing either one's file drops both), and one may truncate the
shared-memory file the other has mapped, which crashes the process with
SIGBUS or corrupts the database (https://www.sqlite.org/howtocorrupt.html,
section 2.2.1). The harvester holds SQLAlchemy's SQLite connections while a
daemon rebuilds the views, so the DuckDB session that creates them, and
binds every view against the warehouse, runs in a short-lived child process.

Run as ``python -m harvester.reporting.writer``: it reads a ``WriteSpec`` as
JSON on stdin and prints ``{"extension": ...}`` on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

import harvester
from harvester.errors import ReportingError
from harvester.reporting.extensions import install_scanner, one_line
from harvester.reporting.identifiers import quote_identifier, quote_literal

# libpq reads the password from the environment when the conninfo has none.
LIBPQ_ENV = "PGPASSWORD"

# Creating the views only binds them (no data moves), but binding against a
# remote PostgreSQL connects once per scan.
WRITER_TIMEOUT_SECONDS = 300

# The catalog name of the warehouse while the views are being bound.
BINDING_CATALOG = "binding_warehouse"


@dataclass(frozen=True)
class WriteSpec:
    """What to write: the file, its source views and every other view, in order.

    Attributes:
        path: the new DuckDB file.
        backend: ``sqlite`` or ``postgresql``, naming the scanner to install.
        schema: the DuckDB schema of the source views.
        sources: (warehouse table, scanner call reading it), one source view
            each, named after the table.
        views: (view name, statements) in creation order.
        binding: for PostgreSQL, the libpq conninfo to bind the views through
            (see ``write_views``); empty for SQLite.
        binding_schema: the PostgreSQL schema of the warehouse tables.
    """

    path: str
    backend: str
    schema: str
    sources: list[tuple[str, str]]
    views: list[tuple[str, list[str]]]
    binding: str = ""
    binding_schema: str = ""


def write_views(spec: WriteSpec) -> str:
    """Creates the file and its views in one transaction.

    Creating a view binds it, and binding a PostgreSQL scan connects to the
    server each time (some seventy times for the full set). For PostgreSQL
    the views are first bound against an attached warehouse, whose catalog is
    read once; the source views are then replaced by their scanner form,
    checked to give the same columns. Views store their text, so the stored
    views name only scanners.

    Returns:
        Where the scanner extension was installed from.

    Raises:
        ReportingError: the file, the extension or a view could not be made.
    """
    try:
        conn = duckdb.connect(spec.path)
    except duckdb.Error as exc:
        raise ReportingError(
            f"reporting file '{spec.path}' could not be created: {one_line(str(exc))}"
        ) from exc

    try:
        extension = install_scanner(conn, spec.backend)
        if spec.binding:
            _run(conn, spec.schema, [_attach_sql(spec)])
        # One transaction: a commit per statement would sync the file each time.
        conn.execute("begin transaction")
        _run(conn, spec.schema, [f"create schema {quote_identifier(spec.schema)}"])
        _create_sources(conn, spec, staged=bool(spec.binding))
        for name, statements in spec.views:
            _run(conn, name, statements)
        if spec.binding:
            _create_sources(conn, spec, staged=False)
        conn.execute("commit")
        conn.execute("checkpoint")
    finally:
        conn.close()
    return extension


def _attach_sql(spec: WriteSpec) -> str:
    return (
        f"attach {quote_literal(spec.binding)} as {BINDING_CATALOG} "
        "(type postgres, read_only)"
    )


def _create_sources(
    conn: duckdb.DuckDBPyConnection, spec: WriteSpec, *, staged: bool
) -> None:
    """Creates (or replaces) one source view per warehouse table.

    Staged views read the attached warehouse; final views read the scanner,
    and must describe exactly as the staged view they replace.
    """
    for table, scan in spec.sources:
        name = f"{quote_identifier(spec.schema)}.{quote_identifier(table)}"
        if staged:
            body = ".".join(
                quote_identifier(part)
                for part in (BINDING_CATALOG, spec.binding_schema, table)
            )
            _run(conn, table, [_view_sql(name, body, is_replacing=False)])
            continue

        before = _columns(conn, name)
        _run(conn, table, [_view_sql(name, scan, is_replacing=True)])
        if spec.binding and _columns(conn, name) != before:
            raise ReportingError(
                f"view '{table}' could not be created: its scanner gives other "
                "columns than the attached warehouse"
            )


def _view_sql(name: str, source: str, *, is_replacing: bool) -> str:
    verb = "create or replace view" if is_replacing else "create view"
    return f"{verb} {name} as\nselect *\nfrom {source}"


def _columns(conn: duckdb.DuckDBPyConnection, name: str) -> list[tuple[str, str]]:
    try:
        rows = conn.execute(f"describe {name}").fetchall()
    except duckdb.CatalogException:
        return []
    return [(row[0], row[1]) for row in rows]


def _run(conn: duckdb.DuckDBPyConnection, name: str, statements: list[str]) -> None:
    try:
        for statement in statements:
            conn.execute(statement)
    except duckdb.Error as exc:
        raise ReportingError(
            f"view '{name}' could not be created: {one_line(str(exc))}"
        ) from exc


def run_writer(spec: WriteSpec, password: str | None) -> str:
    """Runs ``write_views`` in a child process and returns its result.

    Args:
        spec: what to write.
        password: the PostgreSQL password, handed to the child's libpq through
            its environment only (the views themselves hold none).

    Raises:
        ReportingError: the child failed; its one-line reason is the message.
    """
    env = dict(os.environ)
    if password and LIBPQ_ENV not in env:
        env[LIBPQ_ENV] = password
    # The child imports this very harvester, installed or not.
    package_root = str(Path(harvester.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [package_root, env.get("PYTHONPATH")])
    )

    try:
        done = subprocess.run(
            [sys.executable, "-m", "harvester.reporting.writer"],
            input=json.dumps(asdict(spec)),
            capture_output=True,
            text=True,
            env=env,
            timeout=WRITER_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ReportingError(
            f"reporting file '{spec.path}' could not be written: {exc}"
        ) from exc

    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise ReportingError(lines[-1])
    return str(json.loads(done.stdout)["extension"])


def main() -> int:
    """Entry point of the child process."""
    document = json.load(sys.stdin)
    spec = WriteSpec(
        path=document["path"],
        backend=document["backend"],
        schema=document["schema"],
        sources=[(table, scan) for table, scan in document["sources"]],
        views=[(name, list(statements)) for name, statements in document["views"]],
        binding=document["binding"],
        binding_schema=document["binding_schema"],
    )
    try:
        extension = write_views(spec)
    except ReportingError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(json.dumps({"extension": extension}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
