"""Times two reporting queries over a million call attempts, via DuckDB and natively.

A plain script, not a test. For each warehouse backend (SQLite, PostgreSQL)
it creates a fresh warehouse, bulk-loads generated campaigns, attempts and
results (no HTTP), builds the reporting file, then times

- ``campaign_daily``: the whole view, and
- a filtered ``call_attempts``: one campaign's attempts of one day,

once through the DuckDB views and once as the equivalent SQL run by the
warehouse database itself. It prints a table of medians and writes the
figures as JSON to ``bench/results/``.

    .venv/bin/python bench/reporting_bench.py --attempts 1000000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import psycopg
from reporting_data import START, load_postgres, load_sqlite
from sqlalchemy import Engine

from harvester.config import Settings
from harvester.reporting.builder import build_reporting
from harvester.reporting.query import open_reporting
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse

FILTER_CAMPAIGN = "Campaign 3"
FILTER_DAY = START + timedelta(days=10)
RESULTS_FOLDER = Path(__file__).resolve().parent / "results"

DUCKDB_QUERIES = {
    "campaign_daily": "select * from campaign_daily order by 1, 2",
    "filtered call_attempts": (
        "select * from call_attempts "
        f"where campaign_name = '{FILTER_CAMPAIGN}' "
        f"and attempt_at >= '{FILTER_DAY:%Y-%m-%d}' "
        f"and attempt_at < '{FILTER_DAY + timedelta(days=1):%Y-%m-%d}'"
    ),
}

NATIVE_DAILY = """
with a as (
    select c.name as campaign_name, {day} as day, count(*) as attempts,
        count(distinct {record}) as records_attempted,
        sum(case when a.call_duration > 0 then 1 else 0 end) as connects,
        sum(a.call_duration) as talk_seconds
    from call_attempts as a join campaigns as c on c.id = a.campaign_id
    group by 1, 2
),
r as (
    select c.name as campaign_name, {completed_day} as day, count(*) as completions
    from record_results as r join campaigns as c on c.id = r.campaign_id
    where r.is_completed and r.completed_at is not null
    group by 1, 2
)
select coalesce(a.campaign_name, r.campaign_name), coalesce(a.day, r.day),
    coalesce(a.attempts, 0), coalesce(a.records_attempted, 0),
    coalesce(r.completions, 0), coalesce(a.connects, 0), coalesce(a.talk_seconds, 0)
from a full outer join r on r.campaign_name = a.campaign_name and r.day = a.day
order by 1, 2
"""

NATIVE_FILTERED = f"""
select a.global_interaction_id, c.name, l.name, a.record_key, a.attempt_at, a.phone,
    a.agent, a.disposition, a.disposition_code, a.call_attempted, a.call_duration,
    a.dialing_duration, a.cpa_duration, a.call_notes, a.harvested_at
from call_attempts as a
join campaigns as c on c.id = a.campaign_id
join calling_lists as l on l.id = a.list_id
where c.name = '{FILTER_CAMPAIGN}'
    and a.attempt_at >= '{FILTER_DAY:%Y-%m-%d %H:%M:%S}'
    and a.attempt_at < '{FILTER_DAY + timedelta(days=1):%Y-%m-%d %H:%M:%S}'
"""


@dataclass(frozen=True)
class Timing:
    """The runs of one query on one backend through one engine."""

    backend: str
    query: str
    engine: str
    rows: int
    median_seconds: float
    min_seconds: float
    runs: list[float]


def measure(run: Callable[[], int], runs: int) -> tuple[int, list[float]]:
    """Runs a query once to warm up, then ``runs`` times; returns rows and times."""
    rows = run()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = run()
        times.append(time.perf_counter() - started)
    return rows, times


def timing(
    backend: str, query: str, engine: str, rows: int, times: list[float]
) -> Timing:
    """A Timing from the raw run times."""
    return Timing(
        backend, query, engine, rows, statistics.median(times), min(times), times
    )


def time_duckdb(settings: Settings, backend: str, runs: int) -> list[Timing]:
    """Times the queries through the reporting views, in one read-only session."""
    results = []
    with open_reporting(settings) as conn:
        for name, query in DUCKDB_QUERIES.items():

            def run(query: str = query, conn: duckdb.DuckDBPyConnection = conn) -> int:
                return len(conn.execute(query).fetchall())

            rows, times = measure(run, runs)
            results.append(timing(backend, name, "duckdb views", rows, times))
    return results


def native_queries(backend: str) -> dict[str, str]:
    """The same two queries in the warehouse database's own dialect."""
    if backend == "sqlite":
        daily = NATIVE_DAILY.format(
            day="date(a.attempt_at)",
            record="a.list_id || '|' || a.record_key",
            completed_day="date(r.completed_at)",
        )
    else:
        daily = NATIVE_DAILY.format(
            day="a.attempt_at::date",
            record="(a.list_id, a.record_key)",
            completed_day="r.completed_at::date",
        )
    return {"campaign_daily": daily, "filtered call_attempts": NATIVE_FILTERED}


def time_native(engine: Engine, backend: str, runs: int) -> list[Timing]:
    """Times the equivalent SQL run by the warehouse database itself."""
    results = []
    with engine.connect() as conn:
        for name, query in native_queries(backend).items():

            def run(query: str = query) -> int:
                return len(conn.exec_driver_sql(query).fetchall())

            rows, times = measure(run, runs)
            results.append(timing(backend, name, f"native {backend}", rows, times))
    return results


def bench_backend(
    backend: str, url: str, load: Callable[[], None], folder: Path, runs: int
) -> list[Timing]:
    """Loads one warehouse, builds its reporting file and times both ways."""
    engine = create_warehouse_engine(url)
    upgrade_warehouse(engine)
    started = time.perf_counter()
    load()
    print(f"{backend}: loaded in {time.perf_counter() - started:.1f}s")

    settings = Settings(
        database_url=url, reporting_path=str(folder / f"{backend}.duckdb")
    )
    build = build_reporting(settings, engine)
    print(f"{backend}: reporting file built in {build.seconds:.2f}s")
    # DuckDB's SQLite must not run beside open sqlite3 connections to the
    # same file (see harvester.reporting.writer): empty the pool first.
    engine.dispose()
    results = time_duckdb(settings, backend, runs)
    results += time_native(engine, backend, runs)
    engine.dispose()
    return results


def bench_sqlite(total: int, seed: int, runs: int, folder: Path) -> list[Timing]:
    """The SQLite warehouse, in a file of the scratch folder."""
    path = folder / "warehouse.db"
    return bench_backend(
        "sqlite",
        f"sqlite:///{path}",
        lambda: load_sqlite(path, total, seed),
        folder,
        runs,
    )


def bench_postgres(
    admin_dsn: str, total: int, seed: int, runs: int, folder: Path
) -> list[Timing]:
    """A fresh PostgreSQL database, dropped afterwards."""
    params = dict(part.split("=", 1) for part in admin_dsn.split())
    name = f"harvester_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    dsn = " ".join(f"{k}={v}" for k, v in {**params, "dbname": name}.items())
    url = (
        f"postgresql+psycopg://{params['user']}@{params['host']}:"
        f"{params.get('port', '5432')}/{name}"
    )
    try:
        return bench_backend(
            "postgresql", url, lambda: load_postgres(dsn, total, seed), folder, runs
        )
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load_average": os.getloadavg(),
    }


def print_table(results: list[Timing]) -> None:
    """The medians as an aligned text table."""
    print(
        f"{'backend':<11} {'query':<23} {'engine':<18} {'rows':>7} "
        f"{'median s':>9} {'min s':>8}"
    )
    for item in results:
        print(
            f"{item.backend:<11} {item.query:<23} {item.engine:<18} {item.rows:>7} "
            f"{item.median_seconds:>9.3f} {item.min_seconds:>8.3f}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--backends", default="sqlite,postgresql", help="comma separated"
    )
    parser.add_argument(
        "--pg-dsn",
        default=os.environ.get(
            "HARVESTER_TEST_PG_DSN",
            "host=127.0.0.1 port=5432 user=postgres dbname=test",
        ),
        help="libpq DSN of a database on a server where databases may be created",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    backends = args.backends.split(",")
    results: list[Timing] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if "sqlite" in backends:
            results += bench_sqlite(args.attempts, args.seed, args.runs, folder)
        if "postgresql" in backends:
            results += bench_postgres(
                args.pg_dsn, args.attempts, args.seed, args.runs, folder
            )

    print_table(results)
    RESULTS_FOLDER.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    out = RESULTS_FOLDER / f"reporting-{stamp}.json"
    document = {
        "attempts": args.attempts,
        "runs": args.runs,
        "machine": machine(),
        "results": [asdict(item) for item in results],
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
