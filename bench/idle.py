"""Figure 4: the CPU cost of a harvest cycle that finds nothing new.

A tenant of 200 campaigns is settled and harvested once; then each cycle
(discovery and both streams of every campaign and list, re-reading the
lookback window as the daemon does) is timed with ``time.process_time`` in
the harvesting process. The simulator runs in its own process.

    .venv/bin/python bench/idle.py --cycles 5
"""

from __future__ import annotations

import argparse
from typing import Any

from harvesting import in_child, measure_idle
from report import console, machine, median, print_machine, print_table, write_results
from simulated import SimulatorProcess, TenantShape
from warehouses import DATABASES, fresh_database

from harvester.defaults import DEFAULT_LOOKBACK_SECONDS

# Two hundred campaigns, each with its own list of 200 records (one list is
# shared), dialed for an hour at the simulator's default pace.
IDLE_SHAPE = TenantShape("idle", 200, 200, 0.05, 3600)
TARGET_CPU_SECONDS = 2.0


def parse_args() -> argparse.Namespace:
    """The command's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--campaigns", type=int, default=IDLE_SHAPE.campaigns)
    parser.add_argument(
        "--lookback",
        type=int,
        default=DEFAULT_LOOKBACK_SECONDS,
        help="seconds each poll re-reads behind its watermark",
    )
    return parser.parse_args()


def summarize(database: str, result: dict[str, Any]) -> list[Any]:
    """One table row: medians over the idle cycles of one database."""
    cycles = result["cycles"]
    return [
        database,
        len(cycles),
        cycles[0]["lists"],
        median([c["pages"] for c in cycles]),
        median([c["cpu_seconds"] for c in cycles]),
        median([c["seconds"] for c in cycles]),
        TARGET_CPU_SECONDS,
    ]


def main() -> None:
    """Runs the idle cycles on every database and prints and writes them."""
    args = parse_args()
    shape = TenantShape("idle", args.campaigns, 200, 0.05, 3600)
    before = machine()
    print_machine(before)
    results: dict[str, Any] = {}
    with SimulatorProcess(shape) as sim:
        truth = sim.settle()
        console.print(f"tenant settled: {truth}")
        for database in args.databases.split(","):
            with fresh_database(database) as url:
                results[database] = in_child(
                    measure_idle, sim.url, url, args.cycles, args.lookback
                )
    rows = [summarize(database, result) for database, result in results.items()]
    columns = [
        "database",
        "cycles",
        "lists",
        "pages/cycle",
        "CPU s/cycle",
        "wall s/cycle",
        "target CPU s",
    ]
    title = (
        f"Idle cycle over {shape.campaigns} campaigns, lookback "
        f"{args.lookback:g}s (medians)"
    )
    print_table(title, columns, rows)
    payload = {
        "machine_at_start": before,
        "shape": vars(shape),
        "lookback_seconds": args.lookback,
        "truth": truth,
    }
    path = write_results("idle", payload | {"databases": results})
    console.print(f"results written: {path}")


if __name__ == "__main__":
    main()
