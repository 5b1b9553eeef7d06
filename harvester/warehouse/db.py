"""Warehouse engines and migrations: connecting, upgrading, checking the schema."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

import harvester
from harvester import defaults
from harvester.errors import ConfigurationError, WarehouseError

logger = logging.getLogger(__name__)

MIGRATIONS_PATH_VARIABLE = "HARVESTER_MIGRATIONS_PATH"

# The one driver each supported database is used and tested with.
_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg"}

# Masks the password of a URL that SQLAlchemy cannot parse; greedy up to the
# last "@", so that a password holding "@" is hidden whole.
_PASSWORD_IN_URL = re.compile(r"(://[^:/@]*:).*@")

# Any fixed 64-bit number serializes upgraders; this one is "harvestr" in ASCII.
_UPGRADE_LOCK_KEY = 0x6861727665737472


def mask_url(url: str | URL) -> str:
    """The URL as text with its password replaced by ``***``.

    Every message and log line that names a warehouse goes through this, so
    that a password in ``HARVESTER_DATABASE_URL`` never leaves the process.
    """
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _PASSWORD_IN_URL.sub(r"\1***@", url)


def parse_database_url(url: str) -> URL:
    """Parses a warehouse URL and pins the driver the harvester supports.

    ``postgresql://`` URLs become ``postgresql+psycopg://`` (psycopg 3), since
    SQLAlchemy's default PostgreSQL driver is psycopg2, which is not installed.

    Raises:
        ConfigurationError: the URL cannot be parsed, or names a database or
            driver other than SQLite (pysqlite) and PostgreSQL (psycopg 3).
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigurationError(
            f"database URL '{mask_url(url)}' cannot be parsed; expected e.g. "
            "'sqlite:///harvester.db' or 'postgresql://user@host/database'"
        ) from None

    backend, _, driver = parsed.drivername.partition("+")
    expected = _DRIVERS.get(backend)
    if expected is None or driver not in ("", expected):
        raise ConfigurationError(
            f"database URL '{mask_url(parsed)}' names '{parsed.drivername}', "
            "which is not supported; use 'sqlite:///FILE' or "
            "'postgresql://USER@HOST/DATABASE' (psycopg 3)"
        )
    return parsed.set(drivername=f"{backend}+{expected}")


_IMMEDIATE_OPTION = "harvester_sqlite_immediate"


def create_warehouse_engine(url: str) -> Engine:
    """Creates the engine of a warehouse, without connecting yet.

    SQLite connections run in WAL mode, wait for busy writers and enforce
    foreign keys; PostgreSQL connections are checked before each use, so a
    restarted server costs no failed harvest.

    Raises:
        ConfigurationError: the URL is malformed or its driver unsupported.
    """
    parsed = parse_database_url(url)

    try:
        if parsed.get_backend_name() == "sqlite":
            # Each distinct multi-row upsert size is a statement of its own;
            # pysqlite's default cache of 128 compiled statements per
            # connection grows the daemon's memory for hours, so keep a few.
            engine = create_engine(parsed, connect_args={"cached_statements": 8})
            event.listen(engine, "connect", _set_sqlite_pragmas)
            event.listen(engine, "begin", _begin_immediate)
            return engine
        connect_args: dict[str, Any] = {}
        if "connect_timeout" not in parsed.query:
            timeout = defaults.DEFAULT_DATABASE_CONNECT_TIMEOUT_SECONDS
            connect_args["connect_timeout"] = timeout
        return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)
    except ArgumentError as exc:
        raise ConfigurationError(
            f"database URL '{mask_url(parsed)}' is not usable: {exc}"
        ) from exc


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # These pragmas hold per connection (WAL persists in the file, but setting
    # it again is free), so every new connection of the pool gets them.
    busy_ms = int(defaults.SQLITE_BUSY_TIMEOUT_SECONDS * 1000)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"pragma busy_timeout = {busy_ms}")
        cursor.execute("pragma journal_mode = wal")
        cursor.execute("pragma foreign_keys = on")
    finally:
        cursor.close()
    # SQLAlchemy, not the sqlite3 module, opens transactions (see _begin_immediate).
    dbapi_connection.isolation_level = None


def _begin_immediate(conn: Connection) -> None:
    # A deferred transaction that reads before it writes cannot wait for a
    # busy writer: SQLite refuses its lock upgrade at once. Writers therefore
    # take the write lock up front (see as_writer) and wait out busy_timeout
    # instead; in WAL mode that lock does not block readers.
    if conn.get_execution_options().get(_IMMEDIATE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def as_writer(engine: Engine) -> Engine:
    """The engine for a process that writes: SQLite transactions begin IMMEDIATE.

    A writer must not hold two transactions of one SQLite file at once in
    one thread: the second would wait for the first.
    """
    return engine.execution_options(**{_IMMEDIATE_OPTION: True})


def as_reader(engine: Engine) -> Engine:
    """The engine for reading beside a writer: SQLite transactions stay deferred.

    In WAL mode such a reader sees a stable snapshot and never blocks the
    writer, even in the same thread.
    """
    return engine.execution_options(**{_IMMEDIATE_OPTION: False})


def _driver_reason(exc: DBAPIError, url: URL) -> str:
    """The first line of the driver's message, with no password in it."""
    original = exc.orig if exc.orig is not None else exc
    lines = str(original).strip().splitlines()
    reason = lines[0].strip() if lines else type(original).__name__
    if url.password:
        reason = reason.replace(str(url.password), "***")
    return reason


@contextmanager
def connect_warehouse(engine: Engine) -> Iterator[Connection]:
    """Opens a connection, turning a failure to connect into a WarehouseError.

    Raises:
        WarehouseError: the database cannot be reached; the message names the
            URL without its password and gives the driver's reason.
    """
    try:
        connection = engine.connect()
    except DBAPIError as exc:
        raise WarehouseError(
            f"warehouse at '{mask_url(engine.url)}' cannot be reached: "
            f"{_driver_reason(exc, engine.url)}"
        ) from exc

    with connection:
        yield connection


@contextmanager
def reraise_as_warehouse_error(engine: Engine, doing: str) -> Iterator[None]:
    """Turns a database error inside the block into a WarehouseError.

    Args:
        engine: the warehouse the block works on, named in the message.
        doing: what failed, e.g. "could not be upgraded".

    Raises:
        WarehouseError: carrying the URL without its password and the
            driver's one-line reason.
    """
    try:
        yield
    except DBAPIError as exc:
        raise WarehouseError(
            f"warehouse at '{mask_url(engine.url)}' {doing}: "
            f"{_driver_reason(exc, engine.url)}"
        ) from exc


def locate_migrations() -> Path:
    """The folder of the Alembic scripts.

    It is the top-level ``migrations`` folder next to the ``harvester``
    package, unless ``HARVESTER_MIGRATIONS_PATH`` names another one (for
    installs that put the scripts elsewhere).

    Raises:
        ConfigurationError: the folder has no ``env.py``.
    """
    configured = os.environ.get(MIGRATIONS_PATH_VARIABLE)
    if configured:
        path = Path(configured)
    else:
        path = Path(harvester.__file__).resolve().parent.parent / "migrations"

    if not (path / "env.py").is_file():
        raise ConfigurationError(
            f"migrations folder '{path}' not found or has no env.py; set "
            f"{MIGRATIONS_PATH_VARIABLE} to the folder holding the Alembic scripts"
        )
    return path


def build_alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration built in code, with no alembic.ini.

    Args:
        connection: when given, env.py runs the migrations on it and leaves
            committing to the caller.
    """
    config = Config()
    # The option value goes through configparser, which treats "%" specially.
    location = str(locate_migrations()).replace("%", "%%")
    config.set_main_option("script_location", location)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _read_scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(build_alembic_config())


def head_revision() -> str:
    """The revision the migration scripts lead to.

    Raises:
        ConfigurationError: the migrations folder holds no single head.
    """
    heads = _read_scripts().get_heads()
    if len(heads) != 1:
        raise ConfigurationError(
            f"migrations folder '{locate_migrations()}' has heads {heads}; "
            "expected exactly one"
        )
    return heads[0]


def _read_revision(connection: Connection) -> str | None:
    # Alembic builds a new alembic_version Table on every call, so each read
    # would add an entry to the engine's compiled-statement cache; the daemon
    # reads the revision every cycle, and the cache grew until it was full.
    uncached = connection.execution_options(compiled_cache=None)
    return MigrationContext.configure(uncached).get_current_revision()


def _require_known_revision(engine: Engine, revision: str | None) -> None:
    # A newer harvester may have migrated this warehouse further; its
    # revisions are missing here, and no upgrade can bring it back.
    if revision is None:
        return
    try:
        _read_scripts().get_revision(revision)
    except CommandError:
        raise WarehouseError(
            f"warehouse at '{mask_url(engine.url)}' is at revision {revision}, "
            "which this harvester's migrations do not know; it was migrated by "
            "a newer harvester"
        ) from None


def _lock_for_upgrade(connection: Connection) -> None:
    # Daemons starting together must not both create the tables. PostgreSQL
    # queues them on a lock held until commit; on SQLite the writer's
    # BEGIN IMMEDIATE (see as_writer) does the same and makes the DDL atomic.
    if connection.dialect.name == "postgresql":
        statement = text("select pg_advisory_xact_lock(:key)")
        connection.execute(statement, {"key": _UPGRADE_LOCK_KEY})
    else:
        connection.begin()


def upgrade_warehouse(url_or_engine: str | Engine) -> str:
    """Applies the migrations up to the head revision, in one transaction.

    Returns:
        The head revision, which the warehouse is at afterwards.

    Raises:
        ConfigurationError: the URL is malformed or the scripts are missing.
        WarehouseError: the database cannot be reached, refused the DDL, or
            is at a revision these scripts do not know.
    """
    head = head_revision()
    if isinstance(url_or_engine, str):
        engine = create_warehouse_engine(url_or_engine)
    else:
        engine = url_or_engine

    try:
        with (
            connect_warehouse(as_writer(engine)) as connection,
            reraise_as_warehouse_error(engine, "could not be upgraded"),
        ):
            _lock_for_upgrade(connection)
            before = _read_revision(connection)
            _require_known_revision(engine, before)
            command.upgrade(build_alembic_config(connection), "head")
            connection.commit()
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()

    logger.info(
        "warehouse upgraded url=%s revision_before=%s revision=%s",
        mask_url(engine.url),
        before,
        head,
    )
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the warehouse is at, or None when it was never migrated.

    Raises:
        WarehouseError: the database cannot be reached or read.
    """
    with (
        connect_warehouse(engine) as connection,
        reraise_as_warehouse_error(engine, "could not be read"),
    ):
        return _read_revision(connection)


def check_schema_current(engine: Engine) -> None:
    """Refuses to work on a warehouse whose schema is not at the head revision.

    Raises:
        WarehouseError: the warehouse is behind or ahead of the scripts, or
            cannot be reached.
    """
    current = current_revision(engine)
    head = head_revision()
    _require_known_revision(engine, current)
    if current != head:
        raise WarehouseError(
            f"warehouse at '{mask_url(engine.url)}' is at revision "
            f"{current or 'none'}, expected {head}; run `harvester db upgrade`"
        )
