"""Tests of the warehouse engines: URLs, SQLite pragmas, connection errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.exc import IntegrityError

from harvester import defaults
from harvester.errors import ConfigurationError, WarehouseError
from harvester.warehouse.db import (
    check_schema_current,
    create_warehouse_engine,
    current_revision,
    head_revision,
    mask_url,
    parse_database_url,
    upgrade_warehouse,
)
from harvester.warehouse.models import RecordFieldRow

UNREACHABLE_PG_URL = "postgresql://u:s3cret@127.0.0.1:1/x"


def _terminate_backend(url: str, pid: int) -> None:
    """Ends a server session from another engine, waiting until it is gone."""
    admin = create_warehouse_engine(url)
    try:
        with admin.connect() as conn:
            statement = text("select pg_terminate_backend(:pid, 5000)")
            conn.execute(statement, {"pid": pid})
    finally:
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_warehouse_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = create_warehouse_engine(sqlite_url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize(
    ("url", "drivername"),
    [
        ("sqlite:///warehouse.db", "sqlite+pysqlite"),
        ("sqlite+pysqlite:///warehouse.db", "sqlite+pysqlite"),
        ("postgresql://u@db.example/warehouse", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db.example/warehouse", "postgresql+psycopg"),
    ],
)
def test_parse_database_url_supported_pins_driver(url, drivername):
    assert parse_database_url(url).drivername == drivername


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("", "cannot be parsed"),
        ("not a url", "'not a url' cannot be parsed"),
        ("postgresql://u:s3cret@host:port/x", r"'postgresql://u:\*\*\*@host:port/x'"),
        ("mysql://u:s3cret@host/x", r"'mysql://u:\*\*\*@host/x' names 'mysql'"),
        ("postgresql+psycopg2://u:s3cret@host/x", "names 'postgresql\\+psycopg2'"),
        ("postgresql+asyncpg://u:s3cret@host/x", "which is not supported"),
        ("sqlite+aiosqlite:///x.db", "names 'sqlite\\+aiosqlite'"),
    ],
)
def test_create_warehouse_engine_bad_url_raises_configuration_error(url, match):
    with pytest.raises(ConfigurationError, match=match) as caught:
        create_warehouse_engine(url)

    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://u:s3cret@h/x", "postgresql://u:***@h/x"),
        ("postgresql://u@h/x", "postgresql://u@h/x"),
        ("weird://u:s3c@ret@h:port/x", "weird://u:***@h:port/x"),
        ("sqlite:///warehouse.db", "sqlite:///warehouse.db"),
    ],
)
def test_mask_url_password_hidden(url, masked):
    assert mask_url(url) == masked


def test_create_warehouse_engine_relative_sqlite_path_works():
    engine = create_warehouse_engine("sqlite:///relative.db")
    try:
        with engine.connect() as conn:
            conn.execute(text("create table t (x integer)"))
    finally:
        engine.dispose()

    assert Path("relative.db").is_file()


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [
        ("journal_mode", "wal"),
        ("foreign_keys", 1),
        ("busy_timeout", defaults.SQLITE_BUSY_TIMEOUT_SECONDS * 1000),
    ],
)
def test_sqlite_engine_every_connection_has_pragma(sqlite_engine, pragma, expected):
    with sqlite_engine.connect() as first, sqlite_engine.connect() as second:
        values = [
            conn.exec_driver_sql(f"pragma {pragma}").scalar()
            for conn in (first, second)
        ]

    assert values == [expected, expected]


def test_engine_foreign_key_violation_is_refused(engine):
    upgrade_warehouse(engine)
    row = {"list_id": 404, "record_key": "1", "field_name": "id", "field_value": "1"}

    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(RecordFieldRow), [row])


def test_postgres_engine_dead_connection_replaced_by_pre_ping(postgres_url):
    engine = create_warehouse_engine(postgres_url)
    try:
        with engine.connect() as conn:
            old_pid = conn.execute(text("select pg_backend_pid()")).scalar_one()
        _terminate_backend(postgres_url, old_pid)

        with engine.connect() as conn:
            new_pid = conn.execute(text("select pg_backend_pid()")).scalar_one()
    finally:
        engine.dispose()

    assert new_pid != old_pid


def _call_with_unreachable_warehouse(function_name: str) -> None:
    if function_name == "upgrade_warehouse":
        upgrade_warehouse(UNREACHABLE_PG_URL)
        return
    engine = create_warehouse_engine(UNREACHABLE_PG_URL)
    try:
        {"current_revision": current_revision, "check": check_schema_current}[
            function_name
        ](engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "function_name", ["upgrade_warehouse", "current_revision", "check"]
)
def test_unreachable_postgres_raises_warehouse_error_without_password(function_name):
    with pytest.raises(WarehouseError, match="cannot be reached: ") as caught:
        _call_with_unreachable_warehouse(function_name)

    message = str(caught.value)
    assert "s3cret" not in message
    assert "'postgresql+psycopg://u:***@127.0.0.1:1/x'" in message
    assert "\n" not in message


def test_unreachable_sqlite_folder_raises_warehouse_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'missing' / 'warehouse.db'}"

    with pytest.raises(WarehouseError, match="unable to open database file"):
        upgrade_warehouse(url)


def test_check_schema_current_empty_warehouse_raises(engine):
    expected = (
        f"is at revision none, expected {head_revision()}; run `harvester db upgrade`"
    )

    with pytest.raises(WarehouseError, match=expected):
        check_schema_current(engine)


def test_check_schema_current_upgraded_warehouse_passes(engine):
    upgrade_warehouse(engine)

    check_schema_current(engine)

    assert current_revision(engine) == head_revision()


@pytest.mark.parametrize("function", [check_schema_current, upgrade_warehouse])
def test_unknown_revision_raises_newer_harvester(engine, function):
    upgrade_warehouse(engine)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999'"))

    with pytest.raises(WarehouseError, match="is at revision 9999, which this"):
        function(engine)


def test_upgrade_warehouse_missing_migrations_raises(monkeypatch, tmp_path, sqlite_url):
    monkeypatch.setenv("HARVESTER_MIGRATIONS_PATH", str(tmp_path / "nowhere"))

    with pytest.raises(ConfigurationError, match="HARVESTER_MIGRATIONS_PATH"):
        upgrade_warehouse(sqlite_url)


def test_upgrade_warehouse_migrations_path_from_environment(monkeypatch, sqlite_url):
    folder = Path(__file__).resolve().parents[2] / "migrations"
    monkeypatch.setenv("HARVESTER_MIGRATIONS_PATH", str(folder))

    assert upgrade_warehouse(sqlite_url) == head_revision()


@pytest.mark.postgres
def test_upgrade_warehouse_logs_masked_url(caplog, postgres_url):
    # The test server trusts local users, so it ignores the password.
    url = postgres_url.replace("postgres@", "postgres:s3cret@")
    caplog.set_level("INFO", logger="harvester.warehouse.db")

    upgrade_warehouse(url)

    assert "url=postgresql+psycopg://postgres:***@" in caplog.text
    assert "revision_before=None" in caplog.text
    assert "s3cret" not in caplog.text
