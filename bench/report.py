"""What every benchmark reports besides its figures: the machine, and the files.

Each command writes one JSON file to bench/results/ (git-ignored) holding
the machine, the command line, every run and the medians it printed.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

RESULTS = Path(__file__).resolve().parent / "results"
# Wide enough for the summary tables when the output is not a terminal.
console = Console(width=180)


def machine() -> dict[str, Any]:
    """The machine and its load right now: nproc, memory, CPU model, load."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "cpu_model": cpu,
        "load_average": list(os.getloadavg()),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def median(values: Sequence[float]) -> float:
    """The median, or NaN for no values."""
    return statistics.median(values) if values else float("nan")


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Writes a command's results as JSON and returns the file's path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{name}-{stamp}.json"
    document = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "finished_at": stamp,
        "machine_at_end": machine(),
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path


def print_table(
    title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Prints a table with right-aligned figures."""
    table = Table(title=title)
    for number, column in enumerate(columns):
        table.add_column(column, justify="left" if number == 0 else "right")
    for row in rows:
        table.add_row(*(_cell(value) for value in row))
    console.print(table)


def print_machine(facts: dict[str, Any]) -> None:
    """Prints the machine line every figure is read with."""
    load = ", ".join(f"{value:.2f}" for value in facts["load_average"])
    console.print(
        f"machine: {facts['nproc']} CPUs ({facts['cpu_model']}), "
        f"{facts['memory_gib']} GiB, load average {load}, "
        f"Python {facts['python']}"
    )


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}" if abs(value) >= 1 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
