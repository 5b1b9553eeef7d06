"""Fixtures of the daemon tests: `harvester run` as a real subprocess.

The daemon runs as ``python -m harvester run`` with its settings in the
environment, its log in a file, and /healthz and /metrics on a free port.
Tests wait for conditions by polling with deadlines, never by fixed sleeps.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text

from harvester.api.client import BpccClient
from harvester.simulator import SimClock, SimulatorConfig, SimulatorServer, Tenant
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from tests.truth import compare

T = TypeVar("T")

# Short enough for tests, long enough for a loaded machine to finish a page.
STOP_TIMEOUT_SECONDS = 15
# Startup imports the whole CLI, which takes seconds on a busy machine.
START_TIMEOUT_SECONDS = 60


def wait_for(condition: Callable[[], T], timeout: float, what: str) -> T:
    """Polls ``condition`` until it returns something truthy, and returns it.

    Raises:
        AssertionError: the deadline passed first.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.25)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class DaemonProcess:
    """A running `harvester run`, its log file and its HTTP port."""

    process: subprocess.Popen[bytes]
    log_path: Path
    http_port: int

    @property
    def worker(self) -> str:
        """How the daemon signs its rows in harvest_runs."""
        return f"{socket.gethostname()}:{self.process.pid}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def healthz(self) -> tuple[int, str]:
        """The status and body of /healthz; status 0 while nothing answers."""
        try:
            response = requests.get(self._url("/healthz"), timeout=10)
        except requests.ConnectionError:
            return 0, ""
        return response.status_code, response.text

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        """Every sample of /metrics by name and sorted labels."""
        response = requests.get(self._url("/metrics"), timeout=10)
        response.raise_for_status()
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }

    def send(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self) -> int:
        """A warm stop: SIGTERM, then the exit status."""
        self.send(signal.SIGTERM)
        return self.wait(STOP_TIMEOUT_SECONDS + 30)

    def _url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.http_port}{path}"


def daemon_env(server_url: str, database_url: str, **changes: str) -> dict[str, str]:
    """The environment of a daemon harvesting the simulator into the warehouse."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("BPCC_", "HARVESTER_"))
    }
    env |= {
        "BPCC_BASE_URL": server_url,
        "BPCC_CLIENT_ID": "harvester",
        "BPCC_CLIENT_SECRET": "simulator-secret",
        "HARVESTER_DATABASE_URL": database_url,
        "HARVESTER_HTTP_PORT": str(free_port()),
        "HARVESTER_INTERVAL_SECONDS": "1",
        "HARVESTER_DISCOVERY_INTERVAL_SECONDS": "2",
        "HARVESTER_STOP_TIMEOUT_SECONDS": str(STOP_TIMEOUT_SECONDS),
        "HARVESTER_PAGE_SIZE": "100",
        "HARVESTER_LOG_LEVEL": "INFO",
    }
    return env | changes


StartDaemon = Callable[..., DaemonProcess]


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[StartDaemon]:
    """Starts daemons; any still running after the test is killed."""
    started: list[DaemonProcess] = []

    def start(
        server_url: str, database_url: str, *args: str, **changes: str
    ) -> DaemonProcess:
        env = daemon_env(server_url, database_url, **changes)
        log_path = tmp_path / f"daemon-{len(started)}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "harvester", *args, "run"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        daemon = DaemonProcess(process, log_path, int(env["HARVESTER_HTTP_PORT"]))
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        if daemon.process.poll() is None:
            daemon.process.kill()
            daemon.process.wait(timeout=30)


def wait_until_serving(daemon: DaemonProcess) -> None:
    """Waits until the daemon answers /healthz (healthy or not)."""

    def is_serving() -> bool:
        assert daemon.process.poll() is None, daemon.log()
        return daemon.healthz()[0] != 0

    wait_for(is_serving, START_TIMEOUT_SECONDS, "the daemon to serve /healthz")


def harvested_to_truth(engine: Engine, server: SimulatorServer, timeout: float) -> None:
    """Waits until the warehouse equals the tenant's ground truth."""
    last: list[str] = []

    def is_equal() -> bool:
        differences = compare(engine, server.tenant.ground_truth())
        last[:] = [differences.describe()]
        return not differences

    try:
        wait_for(is_equal, timeout, "the warehouse to equal the ground truth")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {last[0]}") from None


MakeLiveSimulator = Callable[[SimulatorConfig, float], SimulatorServer]


@pytest.fixture
def make_live_simulator() -> Iterator[MakeLiveSimulator]:
    """Simulators whose clock runs ``speed`` times real time, so they keep dialing."""
    servers: list[SimulatorServer] = []

    def make(config: SimulatorConfig, speed: float) -> SimulatorServer:
        # The tenant moves the clock past its history before serving.
        clock = SimClock.accelerated(config.start, speed)
        server = SimulatorServer(Tenant(config, clock)).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def open_warehouse(database_url: str) -> Engine:
    """The warehouse, migrated before any daemon starts, for the test to read."""
    engine = create_warehouse_engine(database_url)
    upgrade_warehouse(engine)
    return engine


@pytest.fixture
def sqlite_warehouse(sqlite_url: str) -> Iterator[tuple[str, Engine]]:
    engine = open_warehouse(sqlite_url)
    yield sqlite_url, engine
    engine.dispose()


def campaign_lists(server: SimulatorServer) -> set[tuple[str, str]]:
    """Every (campaign, list) the tenant's API lists, read through the client."""
    with BpccClient(server.url, "harvester", "simulator-secret") as client:
        campaigns = client.list_campaigns().items
    return {(c.name, name) for c in campaigns for name in c.lists}


def scalar(engine: Engine, query: str, **params: Any) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(query), params).scalar()


def rows(engine: Engine, query: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(query), params))
