"""Figures 1 to 3: first-harvest throughput, its ratio to the limit, peak RSS.

For each tenant size the simulator runs in its own process (`harvester
simulate`, stepped clock) and is settled. Each repeat then, on each
database, times ``harvest_once`` on a fresh warehouse in a fresh process,
and measures the limit (bench/limit.py) on the same pages in another fresh
process. The table shows medians over the repeats; the JSON keeps every run.

    .venv/bin/python bench/throughput.py --sizes 10k,100k --repeats 3
"""

from __future__ import annotations

import argparse
from typing import Any

from harvesting import CREDENTIALS, in_child, measure_harvest
from limit import measure_limit
from report import (
    RESULTS,
    console,
    machine,
    median,
    print_machine,
    print_table,
    write_results,
)
from simulated import SHAPES, SimulatorProcess
from warehouses import DATABASES, fresh_database


def parse_args() -> argparse.Namespace:
    """The command's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k", help="of: 10k,100k,1m")
    parser.add_argument("--databases", default=",".join(DATABASES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-limit", action="store_true", help="time the harvest only")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="after the timed runs, profile one more harvest per size and "
        "database with pyinstrument (pip install '.[bench]')",
    )
    return parser.parse_args()


def run_once(sim: SimulatorProcess, database: str, with_limit: bool) -> dict[str, Any]:
    """One harvest and, unless skipped, one limit measurement on one database."""
    run: dict[str, Any] = {"database": database}
    with fresh_database(database) as url:
        cpu_before = sim.cpu_seconds()
        run["harvest"] = in_child(measure_harvest, sim.url, url)
        run["simulator_cpu_seconds"] = sim.cpu_seconds() - cpu_before
    if with_limit:
        with fresh_database(database) as url:
            run["limit"] = in_child(measure_limit, sim.url, url, CREDENTIALS)
    return run


def rates(run: dict[str, Any], truth: dict[str, Any]) -> dict[str, float]:
    """Attempts and records per second of a run, and its ratio to the limit."""
    harvest = run["harvest"]
    figures = {
        "attempts_per_s": truth["attempts"] / harvest["seconds"],
        "records_per_s": truth["results"] / harvest["seconds"],
        "cpu_seconds": harvest["cpu_seconds"],
        "seconds": harvest["seconds"],
        "peak_rss_mb": harvest["peak_rss_mb"],
        "rss_before_mb": harvest["rss_before_mb"],
    }
    limit = run.get("limit")
    if limit is not None:
        pipeline = limit["pipeline"]
        figures["limit_attempts_per_s"] = truth["attempts"] / pipeline["total"]
        figures["ratio"] = pipeline["total"] / harvest["seconds"]
        for stage, seconds in limit["alone"].items():
            figures[f"{stage}_alone_attempts_per_s"] = truth["attempts"] / seconds
    return figures


def is_complete(run: dict[str, Any], truth: dict[str, Any]) -> bool:
    """Whether the warehouse holds every visible attempt and result."""
    rows = run["harvest"]["rows"]
    return bool(
        rows["call_attempts"] == truth["attempts"]
        and rows["record_results"] == truth["results"]
        and not run["harvest"]["failures"]
    )


def measure_size(label: str, args: argparse.Namespace) -> dict[str, Any]:
    """Every run of one tenant size."""
    databases = args.databases.split(",")
    result: dict[str, Any] = {"shape": vars(SHAPES[label]), "runs": []}
    with SimulatorProcess(SHAPES[label]) as sim:
        truth = sim.settle()
        result["truth"] = truth
        console.print(f"{label}: tenant settled: {truth}")
        for repeat in range(args.repeats):
            for database in databases:
                run = run_once(sim, database, not args.no_limit)
                run["repeat"] = repeat
                run["complete"] = is_complete(run, truth)
                run["figures"] = rates(run, truth)
                result["runs"].append(run)
                _print_run(label, run)
        if args.profile:
            result["profiles"] = _profile(label, sim, databases)
    result["medians"] = {
        database: _medians([r for r in result["runs"] if r["database"] == database])
        for database in databases
    }
    return result


def _profile(label: str, sim: SimulatorProcess, databases: list[str]) -> list[str]:
    paths = []
    for database in databases:
        path = RESULTS / f"profile-{label}-{database}.txt"
        RESULTS.mkdir(parents=True, exist_ok=True)
        with fresh_database(database) as url:
            in_child(measure_harvest, sim.url, url, str(path))
        console.print(f"profile written: {path}")
        paths.append(str(path))
    return paths


def _medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    names = sorted({name for run in runs for name in run["figures"]})
    return {
        name: median([r["figures"][name] for r in runs if name in r["figures"]])
        for name in names
    }


def _print_run(label: str, run: dict[str, Any]) -> None:
    figures = run["figures"]
    console.print(
        f"{label} {run['database']} repeat {run['repeat']}: "
        f"{figures['attempts_per_s']:,.0f} attempts/s in {figures['seconds']:.1f}s, "
        f"ratio {figures.get('ratio', float('nan')):.2f}, "
        f"peak RSS {figures['peak_rss_mb']:.0f} MiB, complete {run['complete']}"
    )


def print_summary(results: dict[str, Any]) -> None:
    """The medians of every size and database, as one table."""
    rows = []
    for label, size in results.items():
        for database, m in size["medians"].items():
            rows.append(
                [
                    f"{label} {database}",
                    size["truth"]["attempts"],
                    m["attempts_per_s"],
                    m["records_per_s"],
                    m.get("limit_attempts_per_s", float("nan")),
                    m.get("ratio", float("nan")),
                    m.get("fetch_alone_attempts_per_s", float("nan")),
                    m.get("parse_alone_attempts_per_s", float("nan")),
                    m.get("insert_alone_attempts_per_s", float("nan")),
                    m["peak_rss_mb"],
                ]
            )
    columns = [
        "size, database",
        "attempts",
        "harvest att/s",
        "records/s",
        "limit att/s",
        "ratio",
        "fetch att/s",
        "parse att/s",
        "insert att/s",
        "peak RSS MiB",
    ]
    print_table("First harvest (medians)", columns, rows)


def main() -> None:
    """Runs every size and prints and writes the figures."""
    args = parse_args()
    before = machine()
    print_machine(before)
    results = {label: measure_size(label, args) for label in args.sizes.split(",")}
    print_summary(results)
    path = write_results("throughput", {"machine_at_start": before, "sizes": results})
    console.print(f"results written: {path}")


if __name__ == "__main__":
    main()
