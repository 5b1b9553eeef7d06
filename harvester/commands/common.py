"""What every command shares: settings, the warehouse engine, the API client."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine

from harvester.api.client import BpccClient
from harvester.config import Settings
from harvester.harvest.context import HarvestContext
from harvester.warehouse.db import (
    as_writer,
    check_schema_current,
    create_warehouse_engine,
    current_revision,
    upgrade_warehouse,
)

logger = logging.getLogger(__name__)

EXIT_FAILURE = 1
EXIT_USAGE = 2


def settings_from(ctx: click.Context) -> Settings:
    """The settings the group loaded, shared by every command."""
    settings = ctx.find_object(Settings)
    if settings is None:
        raise click.UsageError("settings were not loaded")
    return settings


def open_warehouse(settings: Settings) -> Engine:
    """The warehouse engine, with its schema created on first use.

    An empty database gets the schema at once, so that a first run needs no
    setup; a database at an older revision is left for `harvester db upgrade`.
    """
    engine = create_warehouse_engine(settings.database_url)
    if current_revision(engine) is None:
        logger.info("creating the warehouse schema")
        upgrade_warehouse(engine)
    check_schema_current(engine)
    return engine


def warn_if_unverified(settings: Settings) -> None:
    """Warns, at every start, that the tenant's certificate goes unchecked.

    The daemon warns the same way when it starts (harvester.daemon).
    """
    if not settings.verify_tls:
        logger.warning(
            "TLS verification is off (BPCC_VERIFY_TLS); the tenant's "
            "certificate is not checked base_url=%s",
            settings.base_url,
        )


@contextmanager
def harvest_context(settings: Settings) -> Iterator[HarvestContext]:
    """A harvest context for one command, closing its connections after."""
    settings.require_tenant()
    warn_if_unverified(settings)
    engine = open_warehouse(settings)
    client = BpccClient.from_settings(settings)
    try:
        yield HarvestContext(settings=settings, client=client, engine=as_writer(engine))
    finally:
        client.close()
        engine.dispose()
