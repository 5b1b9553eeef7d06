"""Helpers of the reliability suite: contexts, daemons, a private PostgreSQL, waits."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine, func, select

from harvester.api.client import BpccClient
from harvester.api.transport import RetryPolicy, Timeouts
from harvester.harvest.context import HarvestContext
from harvester.harvest.cycle import harvest_once
from harvester.simulator import SimulatorServer
from harvester.warehouse.db import as_writer, create_warehouse_engine, upgrade_warehouse
from harvester.warehouse.models import CallAttemptRow, RecordResultRow
from tests.harvest.conftest import settings_for
from tests.harvest.test_crash import harvest_env
from tests.truth import Differences, compare

# Quick retries keep fault runs short; how often a call is retried is what
# the faults test, not how long the client waits in between.
FAST_RETRY = RetryPolicy(
    total=8, backoff_factor=0.01, backoff_max=0.1, backoff_jitter=0
)
TIMEOUTS = Timeouts(connect=5, read=10)


def open_context(
    server: SimulatorServer, database_url: str, **changes: Any
) -> HarvestContext:
    """A harvest context on a migrated warehouse, with a quick-retry client."""
    settings = settings_for(server, database_url, **changes)
    engine = create_warehouse_engine(database_url)
    upgrade_warehouse(engine)
    client = BpccClient.from_settings(settings, timeouts=TIMEOUTS, retry=FAST_RETRY)
    return HarvestContext(settings=settings, client=client, engine=as_writer(engine))


def close_context(ctx: HarvestContext) -> None:
    """Closes the client and the engine of a context."""
    ctx.client.close()
    ctx.engine.dispose()


def harvest_until_success(ctx: HarvestContext, tries: int = 6) -> int:
    """Runs cycles until one succeeds; returns how many failed before it."""
    failures: dict[str, str] = {}
    for failed in range(tries):
        outcome = harvest_once(ctx)
        if outcome.is_success:
            return failed
        failures = outcome.failures
    raise AssertionError(f"harvest kept failing: {failures}")


def create_schema(server: SimulatorServer, database_url: str) -> None:
    """Migrates a warehouse to the head revision before a child process uses it."""
    close_context(open_context(server, database_url))


def backend_of(database_url: str) -> str:
    """``sqlite`` or ``postgresql``, from a warehouse URL."""
    return database_url.split(":", 1)[0].split("+", 1)[0]


def count_rows(database_url: str) -> int:
    """Results and attempts stored so far: a harvest's progress."""
    engine = create_warehouse_engine(database_url)
    try:
        with engine.connect() as conn:
            return sum(
                int(conn.execute(select(func.count()).select_from(row)).scalar_one())
                for row in (RecordResultRow, CallAttemptRow)
            )
    finally:
        engine.dispose()


def lost_and_doubled(differences: Differences) -> tuple[int, int]:
    """Rows the warehouse lacks and rows it holds beyond the truth."""
    return len(differences.missing), len(differences.extra)


def wait_for(
    predicate: Callable[[], bool], timeout: float, interval: float = 0.5
) -> bool:
    """Polls ``predicate`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def wait_for_truth(
    engine: Engine, truth: Any, timeout: float, interval: float = 1.0
) -> Differences:
    """Waits until the warehouse equals the truth; returns the last differences."""
    last: list[Differences] = []

    def is_equal() -> bool:
        last[:] = [compare(engine, truth)]
        return not last[0]

    wait_for(is_equal, timeout, interval)
    return last[-1]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the daemon as a child process -----------------------------------------


def daemon_env(
    server: SimulatorServer, database_url: str, **extra: str
) -> dict[str, str]:
    """The environment of a `harvester run` child harvesting the simulator."""
    env = harvest_env(settings_for(server, database_url))
    env |= {"HARVESTER_INTERVAL_SECONDS": "1", "HARVESTER_HTTP_PORT": "0"}
    return env | extra


def start_daemon(env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    """Starts `python -m harvester run` with its stderr going to ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", "harvester", "run"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def stop_daemon(process: subprocess.Popen[bytes], timeout: float = 60) -> int:
    """Asks a daemon for a warm stop (SIGTERM) and returns its exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def kill_daemon(process: subprocess.Popen[bytes]) -> bool:
    """Kills a daemon with SIGKILL; returns False when it had already ended."""
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return True


def read_health(port: int) -> int:
    """The HTTP status of the daemon's /healthz, or 0 when nothing answers."""
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return 0


# --- a PostgreSQL server of the test's own ---------------------------------


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl, newest release first, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


@dataclass
class PrivateCluster:
    """A PostgreSQL server in a temporary folder, on a free port.

    PostgreSQL refuses to run as root, so under root the server runs as the
    ``postgres`` user, in a folder that user owns.
    """

    bin_dir: Path
    base: Path
    port: int

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, database: str, user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={user} dbname={database}"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off -c max_connections=60"
        )
        log = str(self.base / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def is_running(self) -> bool:
        try:
            self._run("pg_ctl", "-D", str(self.data), "status")
        except subprocess.CalledProcessError:
            return False
        return True

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))

    def psql(self, script: Path, database: str, **variables: str) -> str:
        """Runs a psql script as the superuser and returns its output."""
        command = [
            str(self.bin_dir / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-f",
            str(script),
        ]
        for name, value in variables.items():
            command[1:1] = ["-v", f"{name}={value}"]
        done = subprocess.run(
            command, check=True, capture_output=True, text=True, timeout=60
        )
        return done.stdout


def make_cluster() -> PrivateCluster | None:
    """Creates and starts a private cluster; None where PostgreSQL is missing."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        return None
    base = Path(tempfile.mkdtemp(prefix="harvester-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(base)
            return None
        os.chown(base, owner.pw_uid, owner.pw_gid)
    cluster = PrivateCluster(bin_dir, base, free_port())
    cluster.init()
    cluster.start()
    return cluster


def remove_cluster(cluster: PrivateCluster) -> None:
    """Stops a private cluster at once and deletes its folder."""
    if cluster.is_running():
        cluster.stop("immediate")
    shutil.rmtree(cluster.base, ignore_errors=True)
