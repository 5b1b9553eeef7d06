"""Soak: the daemon runs for a long while through faults, and stays flat.

Every minute the test samples the daemon's memory (RSS), its open files and
its connections to the warehouse; the last sample must stay within 20% (plus
a small constant) of the second, taken once the daemon has warmed up. At the
end the tenant settles and the warehouse must equal the ground truth.

``RELIABILITY_SOAK_MINUTES`` sets the length (default 30).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from harvester.simulator import FaultConfig, SimulatorConfig
from harvester.warehouse.db import create_warehouse_engine
from tests.fixtures.database import PG_ADMIN_DSN
from tests.reliability.support import (
    create_schema,
    daemon_env,
    free_port,
    lost_and_doubled,
    read_health,
    start_daemon,
    stop_daemon,
    wait_for,
    wait_for_truth,
)

SOAK_MINUTES = float(os.environ.get("RELIABILITY_SOAK_MINUTES", "30"))
SAMPLE_SECONDS = 60
TENANT = SimulatorConfig(
    seed=41,
    campaigns=3,
    records_per_list=3000,
    history_seconds=3600,
    dial_rate_per_second=0.05,
    missing_interaction_id_rate=0.02,
    faults=FaultConfig(
        error_rate=0.03,
        rate_limit_rate=0.02,
        retry_after_seconds=1,
        latency_seconds=(0.0, 0.02),
        token_lifetime_seconds=60,
        truncate_rate=0.01,
        drop_rate=0.01,
        unsorted_rate=0.1,
    ),
)
RSS_SLACK_KB = 10 * 1024
FD_SLACK = 5
CONNECTION_SLACK = 2


@dataclass
class Sample:
    minute: float
    rss_kb: int
    open_files: int
    connections: int
    health: int


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"process {pid} reports no VmRSS")


def connections(database: str) -> int:
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        row = conn.execute(
            "select count(*) from pg_stat_activity "
            "where datname = %s and pid <> pg_backend_pid()",
            (database,),
        ).fetchone()
    assert row is not None
    return int(row[0])


def take_sample(pid: int, started: float, database: str, port: int) -> Sample:
    return Sample(
        minute=round((time.monotonic() - started) / 60, 2),
        rss_kb=rss_kb(pid),
        open_files=len(os.listdir(f"/proc/{pid}/fd")),
        connections=connections(database),
        health=read_health(port),
    )


def is_flat(first: float, last: float, slack: float) -> bool:
    return last <= first * 1.2 + slack


@pytest.mark.slow
@pytest.mark.timeout(int(SOAK_MINUTES * 60) + 900)
def test_daemon_soak_with_faults_stays_flat(
    make_simulator, postgres_url, tmp_path, figures
):
    server = make_simulator(TENANT)
    create_schema(server, postgres_url)
    database = postgres_url.rsplit("/", 1)[1]
    port = free_port()
    env = daemon_env(
        server,
        postgres_url,
        HARVESTER_INTERVAL_SECONDS="5",
        HARVESTER_HTTP_PORT=str(port),
    )
    log_path = tmp_path / "daemon.log"
    samples: list[Sample] = []

    with log_path.open("ab") as log:
        daemon = start_daemon(env, log)
        assert wait_for(lambda: read_health(port) == 200, 60), log_path.read_text()
        started = time.monotonic()
        while not samples or samples[-1].minute < SOAK_MINUTES:
            samples.append(take_sample(daemon.pid, started, database, port))
            next_at = started + len(samples) * SAMPLE_SECONDS
            while time.monotonic() < next_at and daemon.poll() is None:
                server.clock.advance(30)
                time.sleep(1)
            assert daemon.poll() is None, log_path.read_text()[-3000:]
        server.tenant.settle()
        engine = create_warehouse_engine(postgres_url)
        differences = wait_for_truth(engine, server.tenant.ground_truth(), 300)
        engine.dispose()
        status = stop_daemon(daemon)

    second, last = samples[1], samples[-1]
    lost, doubled = lost_and_doubled(differences)
    figures(
        "soak",
        minutes=SOAK_MINUTES,
        samples=[vars(sample) for sample in samples],
        injected=server.fault_counts(),
        attempts=len(server.tenant.ground_truth().attempts),
        lost=lost,
        doubled=doubled,
    )
    assert is_flat(second.rss_kb, last.rss_kb, RSS_SLACK_KB), samples
    assert is_flat(second.open_files, last.open_files, FD_SLACK), samples
    assert is_flat(second.connections, last.connections, CONNECTION_SLACK), samples
    assert last.health == 200, samples
    assert not differences, differences.describe()
    assert status == 0
