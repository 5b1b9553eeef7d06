"""Tests of the Alembic migrations against models.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, insert, inspect, select

from harvester.warehouse.db import (
    build_alembic_config,
    create_warehouse_engine,
    current_revision,
    head_revision,
    upgrade_warehouse,
)
from harvester.warehouse.models import (
    Base,
    CallAttemptRow,
    CallingListRow,
    CampaignRow,
    HarvestRunRow,
)

NOW = datetime(2026, 1, 5, 8, 0, 0)
MODEL_TABLES = set(Base.metadata.tables)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_warehouse_engine(database_url)
    yield engine
    engine.dispose()


def _schema(engine: Engine) -> dict[str, Any]:
    """Everything reflection tells about every table, for before/after checks."""
    inspector = inspect(engine)
    return {
        table: {
            "columns": [
                (column["name"], str(column["type"]), column["nullable"])
                for column in inspector.get_columns(table)
            ],
            "pk": inspector.get_pk_constraint(table),
            "fks": sorted(str(fk) for fk in inspector.get_foreign_keys(table)),
            "uniques": sorted(str(u) for u in inspector.get_unique_constraints(table)),
            "indexes": sorted(str(ix) for ix in inspector.get_indexes(table)),
        }
        for table in inspector.get_table_names()
    }


def _reflected_names(engine: Engine) -> set[tuple[str, str | None]]:
    """(table, name) of every primary key, foreign key, unique and index."""
    inspector = inspect(engine)
    names: set[tuple[str, str | None]] = set()
    for table in MODEL_TABLES:
        names.add((table, inspector.get_pk_constraint(table)["name"]))
        names.update((table, fk["name"]) for fk in inspector.get_foreign_keys(table))
        names.update(
            (table, uq["name"]) for uq in inspector.get_unique_constraints(table)
        )
        # PostgreSQL also lists the index behind each unique constraint.
        names.update(
            (table, ix["name"])
            for ix in inspector.get_indexes(table)
            if "duplicates_constraint" not in ix
        )
    return names


def _model_names() -> set[tuple[str, str | None]]:
    names: set[tuple[str, str | None]] = set()
    for table in Base.metadata.tables.values():
        names.update((table.name, str(c.name)) for c in table.constraints)
        names.update((table.name, str(ix.name)) for ix in table.indexes)
    return names


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _insert_rows(engine: Engine) -> None:
    seen = {"first_seen_at": NOW, "last_seen_at": NOW}
    run = {"run_id": "r1", "kind": "harvest", "worker": "w1", "started_at": NOW}
    with engine.begin() as conn:
        campaign_id = conn.scalar(
            insert(CampaignRow)
            .values(name="Sales", state="RUNNING", **seen)
            .returning(CampaignRow.id)
        )
        list_id = conn.scalar(
            insert(CallingListRow)
            .values(name="list.csv", **seen)
            .returning(CallingListRow.id)
        )
        conn.execute(insert(HarvestRunRow).values(**run))
        conn.execute(
            insert(CallAttemptRow).values(
                attempt_key="gid:1",
                global_interaction_id="1",
                campaign_id=campaign_id,
                list_id=list_id,
                record_key="7",
                attempt_at=NOW,
                raw_json="{}",
                harvested_at=NOW,
                updated_at=NOW,
            )
        )


def _count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table.name: conn.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def test_upgrade_warehouse_empty_creates_every_table(engine):
    revision = upgrade_warehouse(engine)

    assert revision == head_revision()
    assert current_revision(engine) == revision
    assert set(inspect(engine).get_table_names()) == MODEL_TABLES | {"alembic_version"}


def test_upgrade_warehouse_from_url_reaches_head(database_url, engine):
    assert upgrade_warehouse(database_url) == head_revision()

    assert current_revision(engine) == head_revision()


def test_upgrade_warehouse_second_run_changes_nothing(engine):
    upgrade_warehouse(engine)
    before = _schema(engine)

    revision = upgrade_warehouse(engine)

    assert revision == head_revision()
    assert _schema(engine) == before


def test_migrated_schema_matches_models(engine):
    upgrade_warehouse(engine)

    assert _differences(engine) == []


def test_migrated_constraint_names_match_models(engine):
    upgrade_warehouse(engine)

    assert _reflected_names(engine) == _model_names()


def test_downgrade_to_base_then_upgrade_restores_schema(engine):
    upgrade_warehouse(engine)
    migrated = _schema(engine)

    with engine.begin() as conn:
        command.downgrade(build_alembic_config(conn), "base")

    assert current_revision(engine) is None
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    upgrade_warehouse(engine)
    assert _schema(engine) == migrated
    assert _differences(engine) == []


def test_upgrade_warehouse_at_head_keeps_rows(engine):
    upgrade_warehouse(engine)
    _insert_rows(engine)
    before = _count_rows(engine)

    upgrade_warehouse(engine)

    assert _count_rows(engine) == before
    assert before["call_attempts"] == before["harvest_runs"] == 1


def test_upgrade_warehouse_concurrent_daemons_all_succeed(database_url, engine):
    # Separate processes, as daemons are: Alembic keeps per-process state.
    code = "import sys; from harvester.warehouse.db import upgrade_warehouse as u; "
    code += "print(u(sys.argv[1]))"
    upgraders = [
        subprocess.Popen(
            [sys.executable, "-c", code, database_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]

    outcomes = [(p.communicate(timeout=60), p.returncode) for p in upgraders]

    assert outcomes == [((f"{head_revision()}\n", ""), 0)] * 3
    assert _differences(engine) == []
