"""Fixtures of the harvest tests: a warehouse and a context bound to a simulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from harvester.api.client import BpccClient
from harvester.config import Settings
from harvester.harvest.context import HarvestContext
from harvester.simulator import SimulatorServer
from harvester.warehouse.db import (
    as_writer,
    create_warehouse_engine,
    upgrade_warehouse,
)

ContextFactory = Callable[..., HarvestContext]


def settings_for(server: SimulatorServer, database_url: str, **changes) -> Settings:
    """Settings that harvest the simulator into the given warehouse."""
    config = server.tenant.config
    base = Settings(
        base_url=server.url,
        client_id=config.client_id,
        client_secret=config.client_secret,
        database_url=database_url,
        key_fields=tuple(config.key_fields),
    )
    return replace(base, **changes)


@pytest.fixture
def harvest_context(database_url: str) -> Iterator[ContextFactory]:
    """Builds harvest contexts for a simulator; closes what they opened."""
    opened: list[HarvestContext] = []

    def build(server: SimulatorServer, **changes) -> HarvestContext:
        settings = settings_for(server, database_url, **changes)
        engine = create_warehouse_engine(database_url)
        upgrade_warehouse(engine)
        client = BpccClient.from_settings(settings)
        ctx = HarvestContext(settings=settings, client=client, engine=as_writer(engine))
        opened.append(ctx)
        return ctx

    yield build
    for ctx in opened:
        ctx.client.close()
        ctx.engine.dispose()
