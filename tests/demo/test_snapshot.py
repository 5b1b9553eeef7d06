"""Tests of the demo's snapshot: the warehouse's counts beside the tenant's."""

from __future__ import annotations

from sqlalchemy import create_engine

from harvester.api.client import BpccClient
from harvester.config import Settings
from harvester.demo.snapshot import take_snapshot
from harvester.harvest.context import HarvestContext
from harvester.harvest.cycle import harvest_once
from harvester.warehouse.db import as_writer, create_warehouse_engine, upgrade_warehouse


def harvest(server, database_url):
    config = server.tenant.config
    settings = Settings(
        base_url=server.url,
        client_id=config.client_id,
        client_secret=config.client_secret,
        database_url=database_url,
    )
    engine = create_warehouse_engine(database_url)
    upgrade_warehouse(engine)
    client = BpccClient.from_settings(settings)
    try:
        harvest_once(HarvestContext(settings, client, as_writer(engine)))
    finally:
        client.close()
    return engine


def test_snapshot_of_empty_warehouse_counts_tenant_only(simulator, sqlite_url):
    engine = create_warehouse_engine(sqlite_url)
    upgrade_warehouse(engine)

    snapshot = take_snapshot(engine, simulator.tenant.ground_truth())
    engine.dispose()

    assert snapshot.attempts == 0
    assert snapshot.tenant_attempts > 0
    assert snapshot.max_lag_seconds() is None
    assert {c.campaign for c in snapshot.campaigns} == set(simulator.tenant.campaigns)


def test_snapshot_after_harvest_matches_settled_tenant(simulator, sqlite_url):
    simulator.tenant.settle()
    engine = harvest(simulator, sqlite_url)

    snapshot = take_snapshot(engine, simulator.tenant.ground_truth())
    engine.dispose()

    for figures in snapshot.campaigns:
        assert figures.attempts == figures.tenant_attempts > 0
        assert figures.completions == figures.tenant_completions
        assert figures.lists == len(simulator.tenant.campaigns[figures.campaign].links)
        assert figures.last_success_at is not None
        assert figures.last_error is None
        lag = figures.lag_seconds(snapshot.tenant_now)
        assert lag is not None
        assert 0 <= lag < 24 * 3600


def test_snapshot_reads_warehouse_of_other_engine(simulator, sqlite_url):
    harvest(simulator, sqlite_url).dispose()
    reader = create_engine(sqlite_url)

    snapshot = take_snapshot(reader, simulator.tenant.ground_truth())
    reader.dispose()

    assert snapshot.attempts > 0
