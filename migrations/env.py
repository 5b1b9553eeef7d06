"""Alembic environment: runs the warehouse migrations on one connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from harvester.config import load_settings
from harvester.warehouse.db import create_warehouse_engine, parse_database_url
from harvester.warehouse.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    """The URL given to Alembic, else the one the harvester is configured with."""
    return config.get_main_option("sqlalchemy.url") or load_settings().database_url


def _run_on(connection: Connection) -> None:
    # Batch mode lets later revisions alter SQLite tables, which SQLite's
    # ALTER TABLE cannot do in place.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrates the connection the caller passed, or one to the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_on(connection)
        return

    engine = create_warehouse_engine(_database_url())
    try:
        with engine.connect() as own_connection:
            _run_on(own_connection)
            own_connection.commit()
    finally:
        engine.dispose()


def run_migrations_offline() -> None:
    """Writes the migrations as SQL for the configured database's dialect."""
    context.configure(
        url=parse_database_url(_database_url()),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
