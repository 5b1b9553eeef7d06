"""The daemon as a real subprocess against a simulated tenant that keeps dialing."""

from __future__ import annotations

import json
import re
import signal
import time
from datetime import datetime

from harvester.simulator import FaultConfig, SimulatorConfig, SimulatorServer
from tests.daemon.conftest import (
    STOP_TIMEOUT_SECONDS,
    campaign_lists,
    harvested_to_truth,
    rows,
    scalar,
    wait_for,
    wait_until_serving,
)

SECRET = "simulator-secret"
# A token of the simulator: 64 upper-case hex digits.
TOKEN = re.compile(r"[0-9A-F]{64}")

SMALL = SimulatorConfig(seed=3, records_per_list=150, history_seconds=1800)
# Enough pages at 50 a page that a harvest is still going when signalled.
LARGE = SimulatorConfig(
    seed=8,
    records_per_list=500,
    history_seconds=4 * 3600,
    dial_rate_per_second=0.3,
    faults=FaultConfig(latency_seconds=0.01),
)


def watermarks(engine, streams: int) -> dict[tuple[int, int, str], datetime]:
    """Every stream's watermark once all ``streams`` have one, else nothing."""
    query = "select campaign_id, list_id, stream, watermark from watermarks"
    found = {(c, li, s): w for c, li, s, w in rows(engine, query) if w is not None}
    return found if len(found) == streams else {}


def test_daemon_dialing_tenant_watermarks_advance(
    make_live_simulator, start_daemon, sqlite_warehouse
):
    url, engine = sqlite_warehouse
    server = make_live_simulator(SMALL, 30)
    streams = 2 * len(campaign_lists(server))
    daemon = start_daemon(server.url, url, "--log-format", "json")

    first = wait_for(
        lambda: watermarks(engine, streams), 60, "every stream's watermark"
    )
    wait_for(
        lambda: all(w > first[key] for key, w in watermarks(engine, streams).items()),
        60,
        "every watermark to advance while the tenant dials",
    )
    assert daemon.stop() == 0

    runs = rows(
        engine,
        "select campaign_name, list_name, count(*) from harvest_runs "
        "where kind = 'harvest' group by campaign_name, list_name",
    )
    assert len(runs) == len(campaign_lists(server))
    assert all(count >= 2 for _, _, count in runs)
    lines = [json.loads(line) for line in daemon.log().splitlines()]
    messages = [line["message"] for line in lines if line["level"] == "INFO"]
    assert any(m.startswith("daemon started version=") for m in messages)
    assert any(m.startswith("campaign harvested campaign=") for m in messages)
    assert messages[-1] == "daemon stopped cleanly"
    assert SECRET not in daemon.log()
    assert not TOKEN.search(daemon.log())


def test_daemon_sigterm_mid_harvest_restart_equals_truth(
    make_simulator, start_daemon, sqlite_warehouse
):
    url, engine = sqlite_warehouse
    server = make_simulator(LARGE)
    daemon = start_daemon(server.url, url, HARVESTER_PAGE_SIZE="50")

    # The tenant dials on while the first harvest reads its history.
    def is_midway() -> bool:
        server.clock.advance(20)
        stored = int(scalar(engine, "select count(*) from call_attempts"))
        return stored >= 500

    wait_for(is_midway, 90, "the first harvest to store some pages")
    signalled = time.monotonic()
    daemon.send(signal.SIGTERM)
    assert daemon.wait(STOP_TIMEOUT_SECONDS + 10) == 0
    assert time.monotonic() - signalled < STOP_TIMEOUT_SECONDS

    log = daemon.log()
    assert "stop requested signal=SIGTERM" in log
    assert "daemon stopped cleanly" in log
    unfinished = "select count(*) from harvest_runs where finished_at is null"
    assert scalar(engine, unfinished) == 0
    read_before = scalar(engine, "select sum(records) from harvest_runs")
    truth = server.tenant.ground_truth()
    assert scalar(engine, "select count(*) from call_attempts") < len(truth.attempts)

    server.tenant.settle()
    restarted = start_daemon(server.url, url, HARVESTER_PAGE_SIZE="50")
    harvested_to_truth(engine, server, 120)
    assert restarted.stop() == 0

    # The restart went on from the watermarks instead of reading it all again.
    read_after = scalar(engine, "select sum(records) from harvest_runs") - read_before
    completed = sum(1 for result in truth.results.values() if result.completed)
    assert read_after < completed + len(truth.results)


def test_daemon_second_signal_stops_at_once_nothing_lost(
    make_simulator, start_daemon, sqlite_warehouse
):
    url, engine = sqlite_warehouse
    server = make_simulator(SimulatorConfig(seed=4, history_seconds=3600))
    daemon = start_daemon(server.url, url, HARVESTER_PAGE_SIZE="10")
    wait_for(
        lambda: scalar(engine, "select count(*) from call_attempts") > 0,
        60,
        "the first page to be stored",
    )

    # Requests now take 2 s, so the warm stop is still waiting for a page in
    # flight when the second signal comes.
    server.faults.latency_seconds = 2.0
    wait_for(lambda: server.fault_counts()["latency"], 30, "a slow request")
    daemon.send(signal.SIGTERM)
    wait_for(lambda: "stop requested" in daemon.log(), 30, "the warm stop to begin")
    daemon.send(signal.SIGTERM)
    signalled = time.monotonic()
    assert daemon.wait(STOP_TIMEOUT_SECONDS) == 0
    assert time.monotonic() - signalled < 3
    assert "second signal=SIGTERM; stopping at once" in daemon.log()
    assert "daemon stopped cleanly" not in daemon.log()

    server.faults.latency_seconds = 0.0
    server.tenant.settle()
    restarted = start_daemon(server.url, url)
    harvested_to_truth(engine, server, 120)
    assert restarted.stop() == 0


def test_daemon_tenant_unreachable_healthz_503_then_200(
    make_simulator, start_daemon, sqlite_warehouse
):
    url, _ = sqlite_warehouse
    server = make_simulator(SMALL)
    daemon = start_daemon(server.url, url, HARVESTER_HEALTH_INTERVALS="3")
    wait_until_serving(daemon)
    wait_for(lambda: daemon.healthz()[0] == 200, 60, "/healthz to answer 200")
    port = int(server.url.rsplit(":", 1)[1])

    server.stop()
    _, body = wait_for(
        lambda: (answer := daemon.healthz())[0] == 503 and answer,
        60,
        "/healthz to answer 503 while the tenant is down",
    )
    assert "has no successful harvest in the last 3s" in body

    revived = SimulatorServer(server.tenant, port=port).start()
    try:
        wait_for(lambda: daemon.healthz() == (200, "ok\n"), 90, "/healthz back to 200")
    finally:
        assert daemon.stop() == 0
        revived.stop()


def test_daemon_metrics_counters_match_warehouse(
    make_live_simulator, start_daemon, sqlite_warehouse
):
    url, engine = sqlite_warehouse
    server = make_live_simulator(SMALL, 30)
    daemon = start_daemon(server.url, url)
    wait_for(
        lambda: scalar(engine, "select count(*) from call_attempts") > 0,
        60,
        "a first harvest",
    )
    server.tenant.settle()
    harvested_to_truth(engine, server, 90)

    def counted(name: str) -> float:
        return float(daemon.metrics()[(f"harvester_{name}_total", ())])

    attempts = scalar(engine, "select count(*) from call_attempts")
    wait_for(lambda: counted("attempts_stored") == attempts, 30, "counters to settle")
    samples = daemon.metrics()
    assert daemon.stop() == 0

    assert counted_records(engine) == samples[("harvester_records_stored_total", ())]
    assert samples[("harvester_harvest_runs_total", (("outcome", "success"),))] >= 1
    assert samples[("harvester_page_seconds_count", ())] > 0
    for campaign in {name for name, _ in campaign_lists(server)}:
        labels = (("campaign", campaign),)
        assert ("harvester_campaign_lag_seconds", labels) in samples
        last_success = samples[
            ("harvester_campaign_last_success_timestamp_seconds", labels)
        ]
        assert abs(last_success - time.time()) < 300


def counted_records(engine) -> int:
    return int(scalar(engine, "select count(*) from list_records"))


def test_daemon_tls_unverified_warns_at_start(
    make_simulator, start_daemon, sqlite_warehouse
):
    url, _ = sqlite_warehouse
    server = make_simulator(SimulatorConfig(seed=5, records_per_list=20))
    daemon = start_daemon(server.url, url, BPCC_VERIFY_TLS="false")
    wait_until_serving(daemon)

    assert daemon.stop() == 0
    warnings = [line for line in daemon.log().splitlines() if " WARNING " in line]
    assert len(warnings) == 1
    assert "TLS verification is off (BPCC_VERIFY_TLS)" in warnings[0]
