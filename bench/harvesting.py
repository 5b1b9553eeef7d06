"""One timed first harvest of a simulated tenant, run in a process of its own.

A fresh process per harvest keeps the peak RSS it reports (``ru_maxrss``)
the harvest's own, not that of an earlier run or of the benchmark driver.
"""

from __future__ import annotations

import resource
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from sqlalchemy import text

from harvester.api.client import BpccClient
from harvester.config import Settings
from harvester.harvest.context import HarvestContext
from harvester.harvest.cycle import harvest_once
from harvester.simulator.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from harvester.warehouse.db import as_writer, create_warehouse_engine, upgrade_warehouse

CREDENTIALS = (DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
COUNTED_TABLES = ("call_attempts", "record_results", "list_records")


def rss_mb() -> float:
    """The resident set size of this process now, in MiB (from /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """The peak resident set size of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def context_for(base_url: str, database_url: str, **changes: Any) -> HarvestContext:
    """A harvest context for a simulated tenant and a migrated warehouse.

    Args:
        changes: settings other than the defaults, such as lookback_seconds.
    """
    engine = create_warehouse_engine(database_url)
    upgrade_warehouse(engine)
    settings = Settings(
        base_url=base_url,
        client_id=CREDENTIALS[0],
        client_secret=CREDENTIALS[1],
        database_url=database_url,
        **changes,
    )
    client = BpccClient.from_settings(settings)
    return HarvestContext(settings=settings, client=client, engine=as_writer(engine))


def measure_harvest(
    base_url: str, database_url: str, profile_path: str | None = None
) -> dict[str, Any]:
    """Times harvest_once on a fresh warehouse; the job of a child process.

    Returns:
        Wall and CPU seconds, pages, the rows the warehouse holds afterwards,
        RSS before the harvest and at its peak.
    """
    ctx = context_for(base_url, database_url)
    rss_before = rss_mb()
    profiler = _start_profiler() if profile_path else None

    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = harvest_once(ctx)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started

    if profiler is not None and profile_path:
        profiler.stop()
        Path(profile_path).write_text(profiler.output_text(unicode=False))
    with ctx.engine.connect() as conn:
        rows = {
            name: conn.execute(text(f"select count(*) from {name}")).scalar_one()
            for name in COUNTED_TABLES
        }
    ctx.client.close()
    ctx.engine.dispose()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "pages": sum(o.totals.pages for o in outcome.lists),
        "failures": outcome.failures,
        "rows": rows,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    }


def measure_idle(
    base_url: str, database_url: str, cycles: int, lookback_seconds: int
) -> dict[str, Any]:
    """Times cycles that find nothing new, after a first harvest; a child's job.

    Each cycle is what a daemon does when its tenant is quiet: discovery,
    then both streams of every campaign and list from their watermarks minus
    the lookback, re-reading and re-upserting the activity in that window.
    """
    ctx = context_for(base_url, database_url, lookback_seconds=lookback_seconds)
    first_started = time.perf_counter()
    harvest_once(ctx)
    first_seconds = time.perf_counter() - first_started

    runs = []
    for _ in range(cycles):
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = harvest_once(ctx)
        runs.append(
            {
                "seconds": time.perf_counter() - started,
                "cpu_seconds": time.process_time() - cpu_started,
                "pages": sum(o.totals.pages for o in outcome.lists),
                "lists": len(outcome.lists),
                "failures": outcome.failures,
            }
        )
    ctx.client.close()
    ctx.engine.dispose()
    return {"first_harvest_seconds": first_seconds, "cycles": runs}


def _start_profiler() -> Any:
    # pyinstrument is a benchmark tool, not a dependency of the harvester:
    # it is imported only when a profile is asked for (pip install '.[bench]').
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.005)
    profiler.start()
    return profiler


def in_child(job: Any, *args: Any) -> Any:
    """Runs ``job(*args)`` in a fresh spawned process and returns its result."""
    context = get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        return pool.apply(job, args)
