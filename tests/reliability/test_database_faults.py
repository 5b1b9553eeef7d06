"""A warehouse that goes away or stays locked for a while costs no data.

The PostgreSQL server here is the test's own, in a temporary folder, so
stopping it disturbs nobody else's tests.
"""

from __future__ import annotations

import sqlite3
import threading
import time

from harvester.harvest.cycle import harvest_once
from harvester.simulator import SimulatorConfig
from harvester.warehouse.db import create_warehouse_engine
from tests.reliability.support import (
    count_rows,
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
from tests.truth import compare

TENANT = SimulatorConfig(
    seed=19,
    campaigns=2,
    records_per_list=200,
    history_seconds=2 * 3600,
    dial_rate_per_second=0.2,
)
OUTAGE_SECONDS = 6
LOCK_SECONDS = 4.0


def advance_for(server, seconds: float, step: float = 0.5) -> None:
    """Lets the tenant dial for a while of real time: 60 s of its time per step."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        server.clock.advance(60)
        time.sleep(step)


def test_daemon_postgres_restarted_recovers_unhealthy_meanwhile(
    make_simulator, private_postgres, tmp_path, figures
):
    private_postgres.create_database("warehouse")
    url = private_postgres.url("warehouse")
    server = make_simulator(TENANT)
    create_schema(server, url)
    port = free_port()
    env = daemon_env(
        server, url, HARVESTER_HTTP_PORT=str(port), HARVESTER_LOG_LEVEL="INFO"
    )
    log_path = tmp_path / "daemon.log"
    engine = create_warehouse_engine(url)

    with log_path.open("ab") as log:
        daemon = start_daemon(env, log)
        assert wait_for(lambda: read_health(port) == 200 and count_rows(url) > 0, 60)
        errors_before = log_path.read_text().count(" ERROR ")

        private_postgres.stop()
        down_at = time.monotonic()
        assert wait_for(lambda: read_health(port) == 503, 30)
        unhealthy_after = time.monotonic() - down_at
        advance_for(server, OUTAGE_SECONDS - unhealthy_after)
        is_alive_when_down = daemon.poll() is None
        private_postgres.start()
        up_at = time.monotonic()

        assert wait_for(lambda: read_health(port) == 200, 90), log_path.read_text()
        recovered_after = time.monotonic() - up_at
        server.tenant.settle()
        differences = wait_for_truth(engine, server.tenant.ground_truth(), 120)
        status = stop_daemon(daemon)
    engine.dispose()

    failures = log_path.read_text().count(" ERROR ") - errors_before
    lost, doubled = lost_and_doubled(differences)
    figures(
        "database",
        run="postgresql restart",
        outage_seconds=round(time.monotonic() - down_at - recovered_after, 1),
        unhealthy_after_seconds=round(unhealthy_after, 1),
        recovered_after_seconds=round(recovered_after, 1),
        failures_logged=failures,
        lost=lost,
        doubled=doubled,
    )
    assert is_alive_when_down
    assert failures >= 2
    assert not differences, differences.describe()
    assert status == 0


def hold_write_lock(path: str, seconds: float, ready: threading.Event) -> None:
    """Holds SQLite's write lock the way another writer would, then commits."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("begin immediate")
        ready.set()
        time.sleep(seconds)
        conn.execute("commit")
    finally:
        conn.close()


def test_harvest_sqlite_locked_by_another_writer_waits(
    make_simulator, open_harvest, sqlite_url, figures
):
    server = make_simulator(TENANT)
    server.tenant.settle()
    ctx = open_harvest(server, sqlite_url)
    ready = threading.Event()
    path = sqlite_url.removeprefix("sqlite:///")
    locker = threading.Thread(
        target=hold_write_lock, args=(path, LOCK_SECONDS, ready), daemon=True
    )
    locker.start()
    assert ready.wait(10)

    started = time.monotonic()
    outcome = harvest_once(ctx)
    waited = time.monotonic() - started
    locker.join(30)

    differences = compare(ctx.engine, server.tenant.ground_truth())
    figures(
        "database",
        run="sqlite locked",
        lock_seconds=LOCK_SECONDS,
        harvest_seconds=round(waited, 1),
        lost=len(differences.missing),
        doubled=len(differences.extra),
    )
    assert outcome.is_success, outcome.failures
    assert waited >= LOCK_SECONDS - 0.5
    assert not differences, differences.describe()
