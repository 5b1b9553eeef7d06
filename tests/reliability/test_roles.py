"""Least-privilege PostgreSQL roles, and a reporting file that cannot write.

sql/roles/create_roles.sql runs against a PostgreSQL server of this module's
own; the writer then migrates and harvests, the reader only selects.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql
from sqlalchemy import func, select

from harvester.config import Settings
from harvester.errors import QueryError
from harvester.harvest.cycle import harvest_once
from harvester.reporting import build_reporting
from harvester.reporting.identifiers import quote_literal
from harvester.reporting.query import run_query
from harvester.reporting.sources import libpq_conninfo
from harvester.simulator import SimulatorConfig
from harvester.warehouse.db import (
    create_warehouse_engine,
    parse_database_url,
    upgrade_warehouse,
)
from harvester.warehouse.models import Base, CampaignRow
from tests.reliability.support import PrivateCluster, make_cluster, remove_cluster
from tests.truth import compare

SCRIPT = Path(__file__).resolve().parents[2] / "sql" / "roles" / "create_roles.sql"
DATABASE = "warehouse"
WRITER, READER = "harvester_writer", "harvester_reader"
TENANT = SimulatorConfig(
    seed=37, campaigns=2, records_per_list=80, history_seconds=7200
)
TABLES = sorted(Base.metadata.tables)


@dataclass
class Warehouse:
    cluster: PrivateCluster

    def url(self, user: str) -> str:
        return self.cluster.url(DATABASE, user)

    def connect(self, user: str) -> psycopg.Connection:
        return psycopg.connect(self.cluster.dsn(DATABASE, user), autocommit=True)


@pytest.fixture(scope="module")
def warehouse() -> Iterator[Warehouse]:
    """A database with the roles of the script, migrated by the writer."""
    cluster = make_cluster()
    if cluster is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL server binaries are missing; CI requires them")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    try:
        cluster.create_database(DATABASE)
        cluster.psql(SCRIPT, DATABASE)
        upgrade_warehouse(cluster.url(DATABASE, WRITER))
        yield Warehouse(cluster)
    finally:
        remove_cluster(cluster)


def privileges(warehouse: Warehouse) -> list[tuple[Any, ...]]:
    query = """
        select grantee, table_name, privilege_type
        from information_schema.table_privileges
        where table_schema = 'public'
        order by 1, 2, 3
    """
    with warehouse.connect("postgres") as conn:
        return conn.execute(query).fetchall()


def test_roles_script_again_changes_nothing(warehouse):
    before = privileges(warehouse)

    warehouse.cluster.psql(SCRIPT, DATABASE)

    assert privileges(warehouse) == before
    assert {(READER, table, "SELECT") for table in TABLES} <= set(before)


def test_roles_writer_harvests_equal_to_truth(warehouse, make_simulator, open_harvest):
    server = make_simulator(TENANT)
    server.tenant.settle()
    ctx = open_harvest(server, warehouse.url(WRITER))

    outcome = harvest_once(ctx)

    assert outcome.is_success, outcome.failures
    differences = compare(ctx.engine, server.tenant.ground_truth())
    assert not differences, differences.describe()


@pytest.mark.parametrize("table", TABLES)
def test_roles_reader_selects_every_table(warehouse, table):
    with warehouse.connect(READER) as conn:
        query = sql.SQL("select count(*) from {}").format(sql.Identifier(table))
        assert conn.execute(query).fetchone() is not None


READER_REFUSED = [
    "insert into campaigns (name, state, is_enabled, first_seen_at, last_seen_at) "
    "values ('x', 'RUNNING', true, now(), now())",
    "update list_records set entry_json = '{}'",
    "delete from call_attempts",
    "truncate watermarks",
    "create table stolen (x int)",
    "create temporary table stolen (x int)",
    "drop table campaigns",
    "alter table campaigns add column x int",
    "create schema other",
]
WRITER_REFUSED = [
    "create schema other",
    "create role intruder",
    "create database other",
    "select * from pg_authid",
]


@pytest.mark.parametrize(
    ("user", "statement"),
    [(READER, s) for s in READER_REFUSED] + [(WRITER, s) for s in WRITER_REFUSED],
)
def test_roles_statement_refused(warehouse, user, statement):
    with warehouse.connect(user) as conn, pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_roles_public_cannot_connect(warehouse):
    with warehouse.connect("postgres") as conn:
        conn.execute("create role outsider login")

    with pytest.raises(psycopg.OperationalError, match="permission denied"):
        warehouse.connect("outsider").close()


def count_campaigns(url: str) -> int:
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count(CampaignRow.id))).scalar_one())
    finally:
        engine.dispose()


WRITES_THROUGH_REPORTING = [
    "insert into campaigns values ('x', 'RUNNING', true, now(), now())",
    "delete from warehouse_tables.campaigns",
    "update campaigns set state = 'x'",
    "create table campaigns_copy as select * from campaigns",
]


def test_reporting_as_reader_cannot_write_warehouse(warehouse, tmp_path):
    reader_url = warehouse.url(READER)
    settings = Settings(
        database_url=reader_url, reporting_path=str(tmp_path / "reporting.duckdb")
    )
    build_reporting(settings)
    before = count_campaigns(reader_url)
    conninfo = libpq_conninfo(parse_database_url(reader_url))
    # Even a session that attaches the warehouse read-write on purpose
    # writes nothing: the reader role may not.
    attach = (
        f"attach {quote_literal(conninfo)} as w (type postgres, read_only false); "
        "insert into w.public.campaigns (name, state, is_enabled, first_seen_at, "
        "last_seen_at) values ('x', 'RUNNING', true, now(), now())"
    )

    for statement in WRITES_THROUGH_REPORTING:
        with pytest.raises(QueryError):
            run_query(settings, statement)
    with pytest.raises(QueryError, match="permission denied"):
        run_query(settings, attach)

    assert count_campaigns(reader_url) == before


def test_reporting_sqlite_views_refuse_writes(sqlite_url, tmp_path):
    upgrade_warehouse(sqlite_url)
    settings = Settings(
        database_url=sqlite_url, reporting_path=str(tmp_path / "reporting.duckdb")
    )
    build_reporting(settings)

    for statement in WRITES_THROUGH_REPORTING:
        with pytest.raises(QueryError):
            run_query(settings, statement)

    assert count_campaigns(sqlite_url) == 0
