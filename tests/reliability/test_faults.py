"""Harvests through every fault the simulator injects end equal to the ground truth.

Each fault kind runs alone on SQLite, then all kinds mixed on SQLite and
PostgreSQL. The faults injected are counted by the simulator and recorded.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from harvester.simulator import FaultConfig, SimulatorConfig
from harvester.simulator.config import FAULT_KINDS
from tests.reliability.support import (
    backend_of,
    harvest_until_success,
    lost_and_doubled,
)
from tests.truth import compare

TENANT = SimulatorConfig(
    seed=7,
    campaigns=3,
    records_per_list=120,
    history_seconds=4 * 3600,
    dial_rate_per_second=0.05,
    missing_interaction_id_rate=0.05,
)
ROUNDS = 3

FAULTS_ALONE = {
    "server_error": FaultConfig(error_rate=0.2),
    "rate_limit": FaultConfig(rate_limit_rate=0.2, retry_after_seconds=0),
    "latency": FaultConfig(latency_seconds=(0.001, 0.02)),
    "expired_token": FaultConfig(token_lifetime_seconds=0.2),
    "truncated": FaultConfig(truncate_rate=0.2),
    "dropped": FaultConfig(drop_rate=0.1),
    "unsorted": FaultConfig(unsorted_rate=0.5),
}


def mixed_faults() -> FaultConfig:
    # A mixed run makes about 110 requests. At 4% a kind was missed in about
    # one run of fifty; at 8% or more each kind is expected 8 times or more
    # and all of them occur in all but about one run of a thousand.
    return FaultConfig(
        error_rate=0.08,
        rate_limit_rate=0.1,
        retry_after_seconds=0,
        latency_seconds=(0.0, 0.01),
        token_lifetime_seconds=0.3,
        truncate_rate=0.08,
        drop_rate=0.08,
        unsorted_rate=0.3,
    )


def harvest_through_faults(make_simulator, open_harvest, url, faults):
    """Harvests rounds while the tenant dials, then once settled.

    Returns the tenant, the warehouse engine and the failed cycles.
    """
    server = make_simulator(replace(TENANT, faults=faults))
    ctx = open_harvest(server, url, page_size=50)
    failed = 0
    for _ in range(ROUNDS):
        server.clock.advance(900)
        failed += harvest_until_success(ctx)
    server.tenant.settle()
    failed += harvest_until_success(ctx)
    return server.tenant, ctx.engine, failed


@pytest.mark.parametrize("kind", sorted(FAULTS_ALONE))
def test_harvest_with_fault_alone_equals_truth(
    make_simulator, open_harvest, sqlite_url, figures, kind
):
    faults = FAULTS_ALONE[kind]

    tenant, engine, failed = harvest_through_faults(
        make_simulator, open_harvest, sqlite_url, faults
    )

    truth = tenant.ground_truth()
    differences = compare(engine, truth)
    counts = faults.counts()
    lost, doubled = lost_and_doubled(differences)
    figures(
        "faults",
        run=kind,
        database="sqlite",
        injected=counts,
        failed_cycles=failed,
        attempts=len(truth.attempts),
        results=len(truth.results),
        lost=lost,
        doubled=doubled,
    )
    assert not differences, differences.describe()
    assert counts[kind] > 0, counts
    assert all(counts[other] == 0 for other in FAULT_KINDS if other != kind), counts


def test_harvest_with_faults_mixed_equals_truth(
    make_simulator, open_harvest, database_url, figures
):
    faults = mixed_faults()

    tenant, engine, failed = harvest_through_faults(
        make_simulator, open_harvest, database_url, faults
    )

    truth = tenant.ground_truth()
    differences = compare(engine, truth)
    counts = faults.counts()
    lost, doubled = lost_and_doubled(differences)
    figures(
        "faults",
        run="mixed",
        database=backend_of(database_url),
        injected=counts,
        failed_cycles=failed,
        attempts=len(truth.attempts),
        results=len(truth.results),
        lost=lost,
        doubled=doubled,
    )
    assert not differences, differences.describe()
    assert all(counts[kind] > 0 for kind in FAULT_KINDS), counts
