"""Tests of the harvest leases (PostgreSQL) and the daemon guard (SQLite)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from harvester.errors import ConfigurationError, WarehouseError
from harvester.warehouse.db import create_warehouse_engine
from harvester.warehouse.leases import (
    acquire_daemon_guard,
    hold_lease,
    lease_key,
    release,
    try_acquire,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _terminate_backend(url: str, pid: int) -> None:
    """Ends a server session from another engine, waiting until it is gone."""
    admin = create_warehouse_engine(url)
    try:
        with admin.connect() as conn:
            statement = text("select pg_terminate_backend(:pid, 5000)")
            conn.execute(statement, {"pid": pid})
    finally:
        admin.dispose()


# Takes the guard, says so, then waits to be killed or told to exit.
GUARD_HOLDER = """
import sys
from harvester.errors import ConfigurationError, WarehouseError
from harvester.warehouse.leases import acquire_daemon_guard
try:
    acquire_daemon_guard(sys.argv[1])
except ConfigurationError as exc:
    print(exc, flush=True)
    sys.exit(3)
print("held", flush=True)
sys.stdin.read()
"""


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[Engine]:
    engine = create_warehouse_engine(postgres_url)
    yield engine
    engine.dispose()


def _start_guard_holder(url: str) -> subprocess.Popen[str]:
    environ = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", GUARD_HOLDER, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=environ,
    )


def _read_line(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    return process.stdout.readline().strip()


def test_lease_key_known_names_stable_value():
    # Daemons of different releases must agree on the key of a campaign/list.
    assert lease_key("Sales", "list.csv") == -3910125687729370904


def test_lease_key_ambiguous_joins_differ():
    assert lease_key("a|b", "c") != lease_key("a", "b|c")
    assert lease_key("Sales", "list.csv") != lease_key("list.csv", "Sales")


@pytest.mark.parametrize(
    ("campaign", "list_name"),
    [
        ("Sales", "list.csv"),
        ("", ""),
        ("Ventes d'été", "liste/ü?#%&"),
        ("x" * 500, "y"),
    ],
)
def test_lease_key_any_names_fit_signed_bigint(campaign, list_name):
    assert -(2**63) <= lease_key(campaign, list_name) < 2**63


@pytest.mark.postgres
def test_try_acquire_held_elsewhere_refused(pg_engine):
    with pg_engine.connect() as first, pg_engine.connect() as second:
        assert try_acquire(first, "Sales", "list.csv")

        assert not try_acquire(second, "Sales", "list.csv")
        assert try_acquire(second, "Sales", "other.csv")
        assert try_acquire(second, "Support", "list.csv")


@pytest.mark.postgres
def test_release_held_lease_frees_it_for_others(pg_engine):
    with pg_engine.connect() as first, pg_engine.connect() as second:
        try_acquire(first, "Sales", "list.csv")

        assert release(first, "Sales", "list.csv")

        assert try_acquire(second, "Sales", "list.csv")
        assert not release(first, "Sales", "list.csv")


@pytest.mark.postgres
def test_try_acquire_leaves_transactions_as_found(pg_engine):
    with pg_engine.connect() as idle, pg_engine.connect() as busy:
        busy.execute(text("select 1"))

        try_acquire(idle, "Sales", "list.csv")
        try_acquire(busy, "Sales", "other.csv")

        assert not idle.in_transaction()
        assert busy.in_transaction()


@pytest.mark.postgres
def test_lease_holder_connection_invalidated_frees_lease(pg_engine):
    with pg_engine.connect() as holder, pg_engine.connect() as other:
        try_acquire(holder, "Sales", "list.csv")

        holder.invalidate()

        assert try_acquire(other, "Sales", "list.csv")


@pytest.mark.postgres
def test_lease_holder_backend_terminated_frees_lease(pg_engine, postgres_url):
    with pg_engine.connect() as holder, pg_engine.connect() as other:
        try_acquire(holder, "Sales", "list.csv")
        pid = holder.execute(text("select pg_backend_pid()")).scalar_one()
        holder.commit()

        _terminate_backend(postgres_url, pid)

        assert try_acquire(other, "Sales", "list.csv")
        holder.invalidate()


@pytest.mark.postgres
def test_hold_lease_second_holder_refused(pg_engine):
    with (
        hold_lease(pg_engine, "Sales", "list.csv") as first,
        hold_lease(pg_engine, "Sales", "list.csv") as second,
    ):
        assert first
        assert not second


@pytest.mark.postgres
def test_hold_lease_exit_frees_lease_before_pooling(pg_engine, postgres_url):
    with hold_lease(pg_engine, "Sales", "list.csv"):
        pass

    # The holder's connection now idles in the first engine's pool; another
    # engine proves the lease did not stay with it.
    other_engine = create_warehouse_engine(postgres_url)
    try:
        with other_engine.connect() as other:
            assert try_acquire(other, "Sales", "list.csv")
    finally:
        other_engine.dispose()


def _hold_lease_and_kill_holder(engine: Engine, url: str) -> None:
    holders = text(
        "select pid from pg_locks where locktype = 'advisory' and database = "
        "(select oid from pg_database where datname = current_database())"
    )
    with hold_lease(engine, "Sales", "list.csv"):
        with engine.connect() as conn:
            pid = conn.execute(holders).scalar_one()
        _terminate_backend(url, pid)


@pytest.mark.postgres
def test_hold_lease_holder_killed_raises_warehouse_error(pg_engine, postgres_url):
    with pytest.raises(WarehouseError, match="could not release a lease: "):
        _hold_lease_and_kill_holder(pg_engine, postgres_url)

    with pg_engine.connect() as other:
        assert try_acquire(other, "Sales", "list.csv")


def test_hold_lease_sqlite_always_granted(sqlite_url):
    engine = create_warehouse_engine(sqlite_url)
    try:
        with (
            hold_lease(engine, "Sales", "list.csv") as first,
            hold_lease(engine, "Sales", "list.csv") as second,
        ):
            assert first
            assert second
    finally:
        engine.dispose()


def test_try_acquire_sqlite_raises_not_implemented(sqlite_url):
    engine = create_warehouse_engine(sqlite_url)
    try:
        with (
            engine.connect() as conn,
            pytest.raises(NotImplementedError, match="need PostgreSQL"),
        ):
            try_acquire(conn, "Sales", "list.csv")
    finally:
        engine.dispose()


def test_acquire_daemon_guard_held_refuses_subprocess(sqlite_url, tmp_path):
    database = tmp_path / "warehouse.db"

    with acquire_daemon_guard(sqlite_url) as guard:
        holder = _start_guard_holder(sqlite_url)
        output, _ = holder.communicate(timeout=30)

    assert guard.lock_path == tmp_path / "warehouse.db.lock"
    assert holder.returncode == 3
    assert output.strip() == (
        f"another harvester daemon is already running on '{database}'"
    )


def test_acquire_daemon_guard_holder_killed_frees_guard(sqlite_url):
    holder = _start_guard_holder(sqlite_url)
    assert _read_line(holder) == "held"

    with pytest.raises(ConfigurationError, match="already running on"):
        acquire_daemon_guard(sqlite_url)

    holder.kill()
    holder.communicate(timeout=30)
    with acquire_daemon_guard(sqlite_url) as guard:
        assert guard.is_held


def test_acquire_daemon_guard_holder_exits_frees_guard(sqlite_url):
    holder = _start_guard_holder(sqlite_url)
    assert _read_line(holder) == "held"

    holder.communicate(input="", timeout=30)

    assert holder.returncode == 0
    with acquire_daemon_guard(sqlite_url) as guard:
        assert guard.is_held


def test_daemon_guard_release_allows_next_holder(sqlite_url):
    guard = acquire_daemon_guard(sqlite_url)

    guard.release()

    assert not guard.is_held
    with acquire_daemon_guard(sqlite_url) as second:
        assert second.is_held


def test_acquire_daemon_guard_relative_path_locks_beside_file():
    with acquire_daemon_guard("sqlite:///relative.db") as guard:
        assert guard.lock_path == Path("relative.db.lock").resolve()
        assert guard.lock_path.is_file()


@pytest.mark.parametrize("url", ["sqlite://", "postgresql://u:s3cret@127.0.0.1:1/x"])
def test_acquire_daemon_guard_shared_or_memory_holds_nothing(url):
    with acquire_daemon_guard(url) as first, acquire_daemon_guard(url) as second:
        assert not first.is_held
        assert not second.is_held
