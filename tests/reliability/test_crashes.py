"""The daemon, and harvest --once, killed with SIGKILL and restarted, lose nothing.

A kill may land anywhere: in a request, between a page's writes, inside its
commit. Pages commit with their watermark advance, so the next start reads
again from the last committed page and the ground truth still comes out.
The --once variant with 12 kills is tests/harvest/test_crash.py; here are
the daemon and the 50-kill runs.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from pathlib import Path

import pytest

from harvester.simulator import FaultConfig, SimulatorConfig, SimulatorServer
from harvester.warehouse.db import create_warehouse_engine
from tests.harvest.conftest import settings_for
from tests.harvest.test_crash import BIG, harvest_env, start_harvest
from tests.reliability.support import (
    backend_of,
    count_rows,
    create_schema,
    daemon_env,
    kill_daemon,
    lost_and_doubled,
    start_daemon,
    stop_daemon,
    wait_for,
    wait_for_truth,
)
from tests.truth import compare

# Enough records that every life of the daemon finds new activity to harvest.
DAEMON_TENANT = SimulatorConfig(
    seed=13,
    campaigns=3,
    records_per_list=4000,
    history_seconds=4 * 3600,
    dial_rate_per_second=0.3,
    missing_interaction_id_rate=0.05,
    faults=FaultConfig(error_rate=0.02, truncate_rate=0.01, drop_rate=0.01),
)
SETTLE_SECONDS = 180


def kill_daemon_repeatedly(
    server: SimulatorServer, url: str, kills: int, log_path: Path
) -> list[int]:
    """Starts the daemon and kills it ``kills`` times.

    Between starts the tenant's clock moves on, so each life has new
    activity to harvest. Returns the rows stored at each kill.
    """
    rng = random.Random(kills)
    env = daemon_env(server, url)
    stored: list[int] = []
    with log_path.open("ab") as log:
        while len(stored) < kills:
            process = start_daemon(env, log)
            deadline = time.monotonic() + rng.uniform(3.0, 6.5)
            while time.monotonic() < deadline and process.poll() is None:
                server.clock.advance(rng.uniform(5, 60))
                time.sleep(0.2)
            assert kill_daemon(process), log_path.read_text()[-2000:]
            stored.append(count_rows(url))
    return stored


def run_daemon_until_truth(server: SimulatorServer, url: str, log_path: Path):
    """Settles the tenant, runs the daemon until it caught up, stops it warmly."""
    server.tenant.settle()
    engine = create_warehouse_engine(url)
    try:
        with log_path.open("ab") as log:
            env = daemon_env(server, url, HARVESTER_LOG_LEVEL="INFO")
            process = start_daemon(env, log)
            # A SIGTERM before the handlers are installed would kill it cold.
            assert wait_for(lambda: "daemon started" in log_path.read_text(), 60)
            differences = wait_for_truth(
                engine, server.tenant.ground_truth(), SETTLE_SECONDS
            )
            status = stop_daemon(process)
    finally:
        engine.dispose()
    return differences, status


def check_daemon_kills(make_simulator, url, kills, tmp_path, figures, tenant):
    server = make_simulator(tenant)
    create_schema(server, url)
    log_path = tmp_path / "daemon.log"

    stored = kill_daemon_repeatedly(server, url, kills, log_path)
    differences, status = run_daemon_until_truth(server, url, log_path)

    truth = server.tenant.ground_truth()
    lost, doubled = lost_and_doubled(differences)
    figures(
        "kills",
        run="daemon",
        database=backend_of(url),
        kills=len(stored),
        stored_at_kills=stored,
        attempts=len(truth.attempts),
        lost=lost,
        doubled=doubled,
    )
    assert not differences, differences.describe()
    assert status == 0, log_path.read_text()[-2000:]
    # The daemon stored rows in several lives, so kills interrupted harvests
    # rather than only start-ups.
    lives_with_progress = sum(b > a for a, b in zip([0, *stored], stored, strict=False))
    assert lives_with_progress >= 2, stored


def test_daemon_killed_repeatedly_equals_truth(
    make_simulator, sqlite_url, tmp_path, figures
):
    check_daemon_kills(make_simulator, sqlite_url, 6, tmp_path, figures, DAEMON_TENANT)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_daemon_killed_fifty_times_equals_truth(
    make_simulator, database_url, tmp_path, figures
):
    tenant = replace(DAEMON_TENANT, seed=17)
    check_daemon_kills(make_simulator, database_url, 50, tmp_path, figures, tenant)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_harvest_killed_fifty_times_equals_truth(make_simulator, database_url, figures):
    server = make_simulator(BIG)
    create_schema(server, database_url)
    env = harvest_env(settings_for(server, database_url))
    rng = random.Random(50)
    kills = 0

    for _ in range(200):
        if kills == 50:
            break
        server.clock.advance(rng.uniform(60, 600))
        process = start_harvest(env, is_watched=False)
        time.sleep(rng.uniform(0.8, 3.0))
        kills += kill_daemon(process)
    server.tenant.settle()
    for _ in range(5):
        final = start_harvest(env, is_watched=True)
        _, stderr = final.communicate(timeout=600)
        if final.returncode == 0:
            break

    engine = create_warehouse_engine(database_url)
    truth = server.tenant.ground_truth()
    differences = compare(engine, truth)
    engine.dispose()
    lost, doubled = lost_and_doubled(differences)
    figures(
        "kills",
        run="harvest --once",
        database=backend_of(database_url),
        kills=kills,
        attempts=len(truth.attempts),
        lost=lost,
        doubled=doubled,
    )
    assert final.returncode == 0, stderr.decode()
    assert not differences, differences.describe()
    assert kills == 50
