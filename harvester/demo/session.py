"""One demo from start to end: simulator, daemon, live view, reporting and report.

The daemon runs in the main thread, as `harvester run` does, so that its own
signal handlers turn Ctrl-C into a warm stop; the live view runs beside it in
a thread and ends the daemon when the duration is over.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from sqlalchemy import Engine

from harvester.config import Settings
from harvester.daemon import Daemon
from harvester.demo.files import DemoFiles
from harvester.demo.live import LiveView, render
from harvester.demo.logfile import LogSummary, logs_to_file
from harvester.demo.scenario import Scenario, describe_tenant, start_simulator
from harvester.demo.snapshot import Snapshot, take_snapshot
from harvester.demo.steps import Steps
from harvester.errors import HarvesterError
from harvester.logs import register_secret
from harvester.reporting.builder import build_reporting
from harvester.reporting.kpis import read_report
from harvester.reporting.terminal import print_report
from harvester.simulator import SimulatorServer
from harvester.timeutil import utcnow
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from harvester.warehouse.leases import acquire_daemon_guard

# The demo's tenant lists no new campaign while it runs; a slow discovery
# leaves the short harvest interval to the campaigns.
DISCOVERY_INTERVAL_SECONDS = 60
REPORT_WIDTH = 200


@dataclass(frozen=True)
class DemoOptions:
    """What the user chose on the command line.

    Attributes:
        workdir: the folder of the demo's files.
        duration: real seconds of harvesting before the demo stops by itself.
        speed: simulated seconds per real second.
        interval: seconds between harvests of a campaign.
        seed: seeds the simulated tenant.
    """

    workdir: Path
    duration: float
    speed: float
    interval: int
    seed: int


@dataclass
class DemoOutcome:
    """How the demo ended: the last live figures and the tenant's clock then."""

    snapshot: Snapshot | None = None
    tenant_now: datetime | None = None
    log: LogSummary | None = None


def demo_settings(files: DemoFiles, server: SimulatorServer, interval: int) -> Settings:
    """Settings of the demo's harvester: the local tenant and local files only.

    Built from scratch, so that BPCC_* and HARVESTER_* variables meant for a
    real tenant or warehouse never reach the demo.
    """
    config = server.tenant.config
    register_secret(config.client_secret)
    return Settings(
        base_url=server.url,
        client_id=config.client_id,
        client_secret=config.client_secret,
        database_url=files.database_url,
        reporting_path=str(files.reporting),
        interval_seconds=interval,
        http_port=0,
        discovery_interval_seconds=DISCOVERY_INTERVAL_SECONDS,
        source="harvester demo",
    )


def run_demo(options: DemoOptions, console: Console) -> DemoOutcome:
    """Runs the whole demo; the files stay in ``options.workdir`` afterwards."""
    files = DemoFiles.in_folder(options.workdir)
    steps = Steps(console)
    outcome = DemoOutcome()
    with logs_to_file(files.log) as log, acquire_daemon_guard(files.database_url):
        outcome.log = log
        files.clear()
        _harvest(options, files, steps, outcome)
    return outcome


def _harvest(
    options: DemoOptions, files: DemoFiles, steps: Steps, outcome: DemoOutcome
) -> None:
    scenario = Scenario(options.seed, options.speed, options.duration)
    with steps.run("Starting the simulated tenant") as step:
        server = start_simulator(scenario, utcnow())
        step.done = f"Simulated tenant at {server.url}: {describe_tenant(server)}"
    try:
        settings = demo_settings(files, server, options.interval)
        with steps.run(f"Creating the warehouse {files.database.name}") as step:
            engine = create_warehouse_engine(settings.database_url)
            step.done = f"Warehouse {files.database.name} at revision " + (
                upgrade_warehouse(engine)
            )
        try:
            outcome.snapshot = _watch(settings, engine, server, options, steps)
            outcome.tenant_now = server.clock.now()
            _build_and_report(settings, engine, steps, outcome)
        finally:
            engine.dispose()
    finally:
        server.stop()


def _watch(
    settings: Settings,
    engine: Engine,
    server: SimulatorServer,
    options: DemoOptions,
    steps: Steps,
) -> Snapshot | None:
    """Runs the daemon under the live view until the duration ends or Ctrl-C."""
    daemon = Daemon(settings, engine)
    view = LiveView(
        steps.console,
        lambda: take_snapshot(engine, server.tenant.ground_truth()),
        daemon.stop_event,
        options.duration,
    )
    stopped = threading.Event()
    steps.console.print(
        f"Harvesting every {settings.interval_seconds} s for "
        f"{options.duration:g} s (Ctrl-C stops sooner)"
    )

    def show() -> None:
        view.run()
        with steps.run("Stopping the harvester after the page in flight"):
            stopped.wait()

    thread = threading.Thread(target=show, name="demo-live", daemon=True)
    with _signals_restored():
        thread.start()
        try:
            daemon.run()
        finally:
            daemon.stop_event.set()
            stopped.set()
            thread.join()
    return view.refresh()


@contextmanager
def _signals_restored() -> Iterator[None]:
    """Puts back the SIGINT and SIGTERM handlers the daemon replaces."""
    saved: dict[signal.Signals, Any] = {
        signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def _build_and_report(
    settings: Settings, engine: Engine, steps: Steps, outcome: DemoOutcome
) -> None:
    """Builds the reporting file and prints the report; a summary if that fails."""
    console = steps.console
    try:
        with steps.run(
            f"Building the reporting file {Path(settings.reporting_path).name}"
        ) as step:
            result = build_reporting(settings, engine)
            step.done = (
                f"Reporting file {result.path.name} with {len(result.views)} views "
                f"and {len(result.list_views)} calling list views"
            )
        # DuckDB reads SQLite with a copy of SQLite of its own; two copies in
        # one process must not hold the same file, so ours lets go first.
        engine.dispose()
        with steps.run("Reading the report"):
            now = (
                outcome.tenant_now.replace(tzinfo=None) if outcome.tenant_now else None
            )
            data = read_report(settings, now=now)
    except HarvesterError as exc:
        console.print(f"[yellow]The report is not available: {exc}[/]")
        if outcome.snapshot is not None:
            console.print(render(outcome.snapshot, 0, 0).renderables[0])
        return
    console.print()
    # Off a terminal, as in `harvester report`, the table gets room to be read.
    width = console.width if console.is_terminal else REPORT_WIDTH
    print_report(data, Console(file=console.file, width=width))
