"""Leases that keep two daemons from harvesting the same campaign and list.

On PostgreSQL, daemons scale out: each harvest of a campaign and list holds a
session-level advisory lock on a dedicated connection, and a daemon that finds
the lock taken skips that harvest until its next turn. The lock dies with the
connection, so a crashed daemon frees its leases without any cleanup.

SQLite has no such locks, and its single writer gains nothing from a second
daemon, so there one daemon holds the whole warehouse file instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from sqlalchemy import Connection, Engine, TextClause, text

from harvester.errors import ConfigurationError
from harvester.warehouse.db import (
    connect_warehouse,
    mask_url,
    parse_database_url,
    reraise_as_warehouse_error,
)

logger = logging.getLogger(__name__)

_TRY_LOCK = text("select pg_try_advisory_lock(:key)")
_UNLOCK = text("select pg_advisory_unlock(:key)")


def lease_key(campaign: str, list_name: str) -> int:
    """The advisory lock key of a campaign and list: a stable signed 64-bit hash.

    The names are hashed as a JSON array, so that no two different pairs of
    names (say "a|b" and "c" against "a" and "b|c") share an encoding.
    """
    encoded = json.dumps([campaign, list_name], ensure_ascii=False).encode()
    digest = hashlib.blake2b(encoded, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _require_postgresql(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        raise NotImplementedError(
            f"advisory leases need PostgreSQL, not {conn.dialect.name}; "
            "on SQLite one daemon holds the warehouse through acquire_daemon_guard"
        )


def _call_lock_function(conn: Connection, statement: TextClause, key: int) -> bool:
    # A transaction left open would idle for the whole harvest, pinning old
    # row versions; the lock is session-level, so ending it keeps the lock.
    began_here = not conn.in_transaction()
    held = conn.scalar(statement, {"key": key})
    if began_here:
        conn.commit()
    return bool(held)


def try_acquire(conn: Connection, campaign: str, list_name: str) -> bool:
    """Takes the lease of a campaign and list, without waiting.

    Args:
        conn: a PostgreSQL connection kept open for the whole harvest; the
            lease lasts until `release` or until this connection ends.
        campaign: the campaign name.
        list_name: the calling list name.

    Returns:
        True when this connection now holds the lease, False when another
        session holds it.
    """
    _require_postgresql(conn)
    key = lease_key(campaign, list_name)
    acquired = _call_lock_function(conn, _TRY_LOCK, key)
    logger.debug(
        "lease campaign=%s list=%s key=%s acquired=%s",
        campaign,
        list_name,
        key,
        acquired,
    )
    return acquired


def release(conn: Connection, campaign: str, list_name: str) -> bool:
    """Gives back a lease this connection holds.

    Returns:
        True when the lease was held and is now free, False when this
        connection did not hold it.
    """
    _require_postgresql(conn)
    key = lease_key(campaign, list_name)
    released = _call_lock_function(conn, _UNLOCK, key)
    logger.debug(
        "lease campaign=%s list=%s key=%s released=%s",
        campaign,
        list_name,
        key,
        released,
    )
    return released


@contextmanager
def hold_lease(engine: Engine, campaign: str, list_name: str) -> Iterator[bool]:
    """Holds the lease of a campaign and list on a connection of its own.

    Yields True when the lease is held for the block, False when another
    daemon holds it (the block should then skip the harvest). On SQLite it
    always yields True: the daemon guard already excludes other daemons.

    Raises:
        WarehouseError: the database cannot be reached, or the lease's
            connection failed.
    """
    if engine.dialect.name != "postgresql":
        yield True
        return

    with connect_warehouse(engine) as conn:
        with reraise_as_warehouse_error(engine, "could not grant a lease"):
            acquired = try_acquire(conn, campaign, list_name)
        try:
            yield acquired
        finally:
            if acquired:
                _release_or_discard(engine, conn, campaign, list_name)


def _release_or_discard(
    engine: Engine, conn: Connection, campaign: str, list_name: str
) -> None:
    # A pooled connection that might still hold the lock must not be reused:
    # the pool's reset does not unlock, so the lease would outlive the harvest.
    try:
        with reraise_as_warehouse_error(engine, "could not release a lease"):
            release(conn, campaign, list_name)
    except Exception:
        conn.invalidate()
        raise


class DaemonGuard:
    """An exclusive lock on a SQLite warehouse, held by one daemon.

    The operating system drops the lock when the process ends, however it
    ends, so a killed daemon never blocks the next one.
    """

    def __init__(self, lock_path: Path | None, fd: int | None) -> None:
        self.lock_path = lock_path
        self._fd = fd

    @property
    def is_held(self) -> bool:
        """Whether this guard still holds a file lock."""
        return self._fd is not None

    def release(self) -> None:
        """Frees the lock; the lock file stays, as deleting it would race."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DaemonGuard:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def acquire_daemon_guard(database_url: str) -> DaemonGuard:
    """Makes this process the only daemon on a SQLite warehouse file.

    The lock is `<database file>.lock`. PostgreSQL and in-memory SQLite
    warehouses get a guard that holds nothing: the former coordinate through
    leases, the latter cannot be shared.

    Raises:
        ConfigurationError: another daemon holds the file, or the lock file
            cannot be opened.
    """
    url = parse_database_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return DaemonGuard(None, None)

    database = Path(url.database).resolve()
    lock_path = database.with_name(database.name + ".lock")
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise ConfigurationError(
            f"daemon lock file '{lock_path}' for '{mask_url(url)}' cannot be "
            f"opened: {exc.strerror}"
        ) from exc

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConfigurationError(
            f"another harvester daemon is already running on '{database}'"
        ) from None

    _write_pid(fd)
    logger.info("daemon guard acquired lock=%s pid=%s", lock_path, os.getpid())
    return DaemonGuard(lock_path, fd)


def _write_pid(fd: int) -> None:
    # For people only: the lock is the flock, not the file's content.
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
