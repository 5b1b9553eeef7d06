"""Builds the DuckDB reporting file: its views over the live warehouse.

The file holds views only, no data: every query reads the warehouse as it is
at that moment. It is written beside its final path and moved into place
with one atomic rename, so a reader holding the old file keeps working and
the next reader opens the new one.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect

from harvester.config import Settings
from harvester.errors import ReportingError
from harvester.reporting import views
from harvester.reporting.fields import ListFields, read_list_fields, signature_of
from harvester.reporting.identifiers import assign_list_views
from harvester.reporting.sources import WarehouseSource, describe_source
from harvester.reporting.writer import WriteSpec, run_writer
from harvester.warehouse.db import (
    check_schema_current,
    connect_warehouse,
    create_warehouse_engine,
    current_revision,
    reraise_as_warehouse_error,
)

logger = logging.getLogger(__name__)

# Tables of the warehouse that are bookkeeping, not harvested data.
_PRIVATE_TABLES = frozenset({"alembic_version"})


@dataclass(frozen=True)
class BuildResult:
    """What a build of the reporting file made.

    Attributes:
        path: the reporting file.
        views: the views of ``sql/``, in creation order.
        list_views: the wide view of each calling list, by list name.
        signature: the ``reporting_signature`` the views were built from.
        extension: where the scanner extension was installed from.
        seconds: how long the build took.
    """

    path: Path
    views: tuple[str, ...]
    list_views: dict[str, str]
    signature: str
    extension: str
    seconds: float


@dataclass(frozen=True)
class _Plan:
    """Everything read from the warehouse that the views are generated from."""

    source: WarehouseSource
    tables: list[str]
    list_fields: ListFields
    revision: str | None


def build_reporting(settings: Settings, engine: Engine | None = None) -> BuildResult:
    """(Re)creates the reporting file at ``settings.reporting_path``.

    Args:
        settings: the warehouse URL and the reporting path.
        engine: an engine of the warehouse to reuse; by default one is made
            from ``settings.database_url`` and disposed of afterwards.

    Raises:
        WarehouseError: the warehouse cannot be read or is not at the head
            revision.
        ReportingError: the scanner extension or a view could not be
            created, or the file could not be written.
    """
    owned = engine is None
    engine = engine or create_warehouse_engine(settings.database_url)
    try:
        return _build(Path(settings.reporting_path).resolve(), engine)
    finally:
        if owned:
            engine.dispose()


def _build(target: Path, engine: Engine) -> BuildResult:
    started = time.monotonic()
    plan = _read_plan(engine)
    list_views = assign_list_views(
        plan.list_fields.list_names, (*views.VIEW_ORDER, views.LIST_INDEX_VIEW)
    )
    definitions = views.read_view_files()
    definitions += [
        views.list_view(view, name, plan.list_fields.fields[name])
        for name, view in list_views.items()
    ]
    definitions.append(views.list_index_view(list_views))

    extension = _write_atomically(target, plan, definitions)

    result = BuildResult(
        path=target,
        views=views.VIEW_ORDER,
        list_views=list_views,
        signature=signature_of(plan.list_fields, plan.revision),
        extension=extension,
        seconds=time.monotonic() - started,
    )
    logger.info(
        "reporting file built path=%s views=%s list_views=%s seconds=%.2f",
        target,
        len(result.views),
        len(list_views),
        result.seconds,
    )
    return result


def _read_plan(engine: Engine) -> _Plan:
    check_schema_current(engine)
    source = describe_source(engine)
    with (
        connect_warehouse(engine) as conn,
        reraise_as_warehouse_error(engine, "could not be read"),
    ):
        tables = sorted(set(inspect(conn).get_table_names()) - _PRIVATE_TABLES)
        list_fields = read_list_fields(conn)
    return _Plan(source, tables, list_fields, current_revision(engine))


def _write_atomically(
    target: Path, plan: _Plan, definitions: list[views.ViewDefinition]
) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    spec = _spec(temporary, plan, definitions)
    try:
        extension = run_writer(spec, plan.source.password)
        # A WAL left by a crashed writer of the old file would be replayed
        # into the new one; it belongs to a file that is going away.
        _remove(_wal_of(target))
        os.replace(temporary, target)
    except OSError as exc:
        raise ReportingError(
            f"reporting file '{target}' could not be written: {exc.strerror}"
        ) from exc
    finally:
        _remove(temporary)
        _remove(_wal_of(temporary))
    return extension


def _spec(
    path: Path, plan: _Plan, definitions: list[views.ViewDefinition]
) -> WriteSpec:
    """What the writer process creates: source views, then every view."""
    source = plan.source
    is_postgres = source.backend == "postgresql"
    return WriteSpec(
        path=str(path),
        backend=source.backend,
        schema=views.SOURCE_SCHEMA,
        sources=[(table, source.scan(table)) for table in plan.tables],
        # DuckDB binds a view when creating it, so a view that does not fit
        # the warehouse fails here, not in a reader's session.
        views=[
            (view.name, [view.sql, *views.comment_sql(view)]) for view in definitions
        ],
        binding=source.location if is_postgres else "",
        binding_schema=source.schema,
    )


def _wal_of(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        return
