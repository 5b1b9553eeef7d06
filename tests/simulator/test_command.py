"""The `harvester simulate` command."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from harvester.simulator.command import build_config, simulate
from tests.simulator.support import TIMEOUT

LAUNCH = "from harvester.simulator.command import simulate; simulate()"


def options_of(*args: str) -> dict[str, Any]:
    return simulate.make_context("simulate", list(args)).params


def test_simulate_help_lists_options():
    result = CliRunner().invoke(simulate, ["--help"])

    assert result.exit_code == 0
    for option in ("--port", "--seed", "--speed", "--drop-rate", "--client-secret"):
        assert option in result.output


def test_simulate_options_build_config():
    config = build_config(
        options_of(
            "--seed", "5", "--campaigns", "2", "--error-rate", "0.1",
            "--visibility-delay", "1", "2", "--start", "2026-03-01T00:00:00",
            "--token-lifetime", "30", "--latency", "0.5",
        )
    )  # fmt: skip

    assert (config.seed, config.campaigns) == (5, 2)
    assert config.visibility_delay_seconds == (1.0, 2.0)
    assert config.start.isoformat() == "2026-03-01T00:00:00+00:00"
    assert config.faults.error_rate == 0.1
    assert config.faults.token_lifetime_seconds == 30
    assert config.faults.latency_seconds == 0.5


def test_simulate_bad_start_is_refused():
    with pytest.raises(Exception, match="not an ISO 8601 time"):
        build_config(options_of("--start", "tomorrow"))


def wait_for_line(process: subprocess.Popen[str], pattern: str, seconds: float) -> str:
    """The first stderr line matching pattern, within the deadline."""
    stream = process.stderr
    assert stream is not None
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if re.search(pattern, line):
            return line
    raise AssertionError(f"no line matching {pattern!r} within {seconds} s")


def test_simulate_serves_until_sigterm():
    command = [sys.executable, "-c", LAUNCH, "--port", "0", "--speed", "0",
               "--history-seconds", "600", "--seed", "3"]  # fmt: skip
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True) as process:
        try:
            line = wait_for_line(process, r"simulator serving", 20)
            found = re.search(r"url=(\S+)", line)
            assert found is not None
            url = found.group(1)
            truth = requests.get(f"{url}/_simulator/truth", timeout=TIMEOUT).json()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=10) == 0
        finally:
            process.kill()

    assert "client_id=harvester" in line
    assert "simulator-secret" not in line
    assert truth["records"] == 600
