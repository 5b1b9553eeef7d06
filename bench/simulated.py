"""A simulated tenant served by `harvester simulate` in a process of its own.

The benchmarks never serve the tenant from the process they measure: the
simulator and the harvester would then share one interpreter lock, and the
figures would mix the cost of serving pages with the cost of harvesting them.
The tenant's clock is stepped (``--speed 0``) and moved only through the
control API, so a settled tenant stops changing.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import requests

# The simulated time dialing starts: fixed, so that every run sees one tenant.
START = "2026-01-05T08:00:00.000"
# How long a large tenant may take to simulate its history before serving.
STARTUP_TIMEOUT_SECONDS = 1800.0
STOP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class TenantShape:
    """The size of a simulated tenant.

    Every benchmark size dials for the same simulated period at a rate and
    over lists scaled together, so the tenants differ in size, not in shape.
    """

    label: str
    campaigns: int
    records_per_list: int
    dial_rate: float
    history_seconds: float
    seed: int = 1

    def options(self) -> list[str]:
        """The `harvester simulate` options that build this tenant."""
        return [
            f"--seed={self.seed}",
            f"--campaigns={self.campaigns}",
            f"--records-per-list={self.records_per_list}",
            f"--dial-rate={self.dial_rate}",
            f"--history-seconds={self.history_seconds}",
            f"--start={START}",
            "--speed=0",
        ]


# About ten thousand, a hundred thousand and a million visible attempts.
SHAPES = {
    "10k": TenantShape("10k", 10, 1_000, 0.1, 10_000),
    "100k": TenantShape("100k", 10, 10_000, 1.0, 10_000),
    "1m": TenantShape("1m", 10, 100_000, 10.0, 10_000),
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def harvester_command() -> str:
    """The `harvester` entry point of the interpreter running the benchmark."""
    return str(Path(sys.executable).with_name("harvester"))


class SimulatorProcess:
    """`harvester simulate` run as a child process, driven by its control API.

    Args:
        shape: the tenant to simulate.
        extra: more `harvester simulate` options, such as a campaign count.
    """

    def __init__(self, shape: TenantShape, extra: tuple[str, ...] = ()) -> None:
        self.shape = shape
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._extra = extra
        self._process: subprocess.Popen[bytes] | None = None
        self._http = requests.Session()

    @property
    def pid(self) -> int:
        """The simulator's process id."""
        if self._process is None:
            raise RuntimeError("simulator process is not started")
        return self._process.pid

    def start(self) -> Self:
        """Starts the process and waits until the tenant serves."""
        command = [
            harvester_command(),
            "--log-level=warning",
            "simulate",
            f"--port={self.port}",
            *self.shape.options(),
            *self._extra,
        ]
        self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"simulator exited with {self._process.returncode}")
            try:
                self.control("GET", "clock")
                return self
            except requests.ConnectionError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"simulator did not serve within {STARTUP_TIMEOUT_SECONDS}s")

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Calls the control API under /_simulator/ and returns its JSON."""
        response = self._http.request(
            method, f"{self.url}/_simulator/{path}", json=body, timeout=600
        )
        response.raise_for_status()
        return response.json()

    def settle(self) -> dict[str, Any]:
        """Stops dialing, reveals every attempt, and returns the visible counts."""
        self.control("POST", "settle")
        summary: dict[str, Any] = self.control("GET", "truth")
        return summary

    def cpu_seconds(self) -> float:
        """User and system CPU seconds the simulator process has used."""
        return process_cpu_seconds(self.pid)

    def stop(self) -> None:
        """Stops the process with SIGTERM, as an operator would."""
        self._http.close()
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def process_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of a process, from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces; the fields after it are plain.
    fields = stat.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")
