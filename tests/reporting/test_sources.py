"""Scanner locations of the warehouse: no secrets in them, password lent to libpq."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from harvester.errors import ReportingError
from harvester.reporting.sources import (
    WarehouseSource,
    describe_source,
    libpq_conninfo,
    libpq_password,
)
from harvester.reporting.writer import LIBPQ_ENV
from harvester.warehouse.db import create_warehouse_engine


@pytest.mark.parametrize(
    ("url", "conninfo"),
    [
        (
            "postgresql+psycopg://bob:pw-secret@db.example:6543/warehouse",
            "host='db.example' port='6543' user='bob' dbname='warehouse' "
            "connect_timeout='10'",
        ),
        (
            "postgresql+psycopg://bob@/warehouse?host=/run/postgresql&sslmode=require",
            "user='bob' dbname='warehouse' host='/run/postgresql' sslmode='require' "
            "connect_timeout='10'",
        ),
        (
            "postgresql+psycopg://bob@h/w?password=pw-secret&connect_timeout=3",
            "host='h' user='bob' dbname='w' connect_timeout='3'",
        ),
        (
            "postgresql+psycopg://o%27brien@h/my%20db",
            "host='h' user='o\\'brien' dbname='my db' connect_timeout='10'",
        ),
    ],
)
def test_libpq_conninfo_url_gives_conninfo_without_password(url, conninfo):
    assert libpq_conninfo(make_url(url)) == conninfo
    assert "pw-secret" not in libpq_conninfo(make_url(url))


def test_describe_source_sqlite_relative_path_becomes_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = create_warehouse_engine("sqlite:///warehouse.db")
    source = describe_source(engine)
    assert source == WarehouseSource("sqlite", str(tmp_path.resolve() / "warehouse.db"))
    assert Path(source.location).is_absolute()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_describe_source_in_memory_sqlite_raises(url):
    with pytest.raises(ReportingError, match="not a plain SQLite file path"):
        describe_source(create_warehouse_engine(url))


def test_warehouse_source_scan_quotes_hostile_path():
    source = WarehouseSource("sqlite", "/data/it's.db")
    assert source.scan("campaigns") == "sqlite_scan('/data/it''s.db', 'campaigns')"


def test_warehouse_source_repr_hides_password():
    source = WarehouseSource("postgresql", "host='h'", "public", password="pw-secret")
    assert "pw-secret" not in repr(source)


def test_libpq_password_lends_and_restores(monkeypatch):
    monkeypatch.delenv(LIBPQ_ENV, raising=False)
    with libpq_password("pw-secret"):
        assert os.environ[LIBPQ_ENV] == "pw-secret"
    assert LIBPQ_ENV not in os.environ


def test_libpq_password_existing_variable_wins(monkeypatch):
    monkeypatch.setenv(LIBPQ_ENV, "from-environment")
    with libpq_password("pw-secret"):
        assert os.environ[LIBPQ_ENV] == "from-environment"
    assert os.environ[LIBPQ_ENV] == "from-environment"


def test_warehouse_source_scan_postgres_pushes_filters_down():
    source = WarehouseSource("postgresql", "host='h'", "public")
    assert source.scan("campaigns") == (
        "postgres_scan_pushdown('host=''h''', 'public', 'campaigns')"
    )
