"""Figure 5: how fast the simulator serves full getChanged pages.

The simulator runs in its own process, settled. Every full (1000-record)
getChanged page of the tenant is found once, then asked again ``--rounds``
times by one sequential client that reads the body and parses nothing. The
simulator's CPU seconds per page (from /proc) give the rate one core of it
can serve, which is compared with what the harvester consumes.

    .venv/bin/python bench/serving.py --size 100k --rounds 3
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from harvesting import CREDENTIALS
from limit import FIRST_FROM, PAGE_SIZE, PageFetcher, PageRequest, next_from, parse
from report import console, machine, median, print_machine, print_table, write_results
from simulated import SHAPES, SimulatorProcess

FullPage = tuple[PageRequest, int, int]


def parse_args() -> argparse.Namespace:
    """The command's options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=sorted(SHAPES))
    parser.add_argument("--rounds", type=int, default=3)
    return parser.parse_args()


def full_pages(fetcher: PageFetcher) -> list[FullPage]:
    """Every full getChanged page: its request, records and attempts."""
    pages = []
    for campaign, lists in fetcher.campaigns():
        for list_name in lists:
            from_time = FIRST_FROM
            while True:
                request = PageRequest(campaign, list_name, "changed", from_time)
                page = parse(request, fetcher.fetch(request))
                if page.received < PAGE_SIZE:
                    break
                attempts = sum(len(item.attempts) for item in page.items)
                pages.append((request, page.received, attempts))
                following = next_from(page, "changed")
                if following is None or following == from_time:
                    break
                from_time = following
    return pages


def serve_round(
    sim: SimulatorProcess, fetcher: PageFetcher, pages: list[FullPage]
) -> dict[str, Any]:
    """Asks every full page once; wall, client and simulator CPU seconds."""
    sim_cpu = sim.cpu_seconds()
    started, cpu_started = time.perf_counter(), time.process_time()
    size = 0
    for request, _, _ in pages:
        size += len(fetcher.fetch(request))
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "client_cpu_seconds": time.process_time() - cpu_started,
        "simulator_cpu_seconds": sim.cpu_seconds() - sim_cpu,
        "bytes": size,
    }


def main() -> None:
    """Measures the serving rate and prints and writes it."""
    args = parse_args()
    before = machine()
    print_machine(before)
    shape = SHAPES[args.size]
    with SimulatorProcess(shape) as sim:
        truth = sim.settle()
        fetcher = PageFetcher(sim.url, CREDENTIALS)
        pages = full_pages(fetcher)
        if not pages:
            raise SystemExit(f"tenant '{args.size}' has no full getChanged page")
        rounds = [serve_round(sim, fetcher, pages) for _ in range(args.rounds)]
        fetcher.close()
    records = sum(p[1] for p in pages)
    attempts = sum(p[2] for p in pages)
    wall = median([r["seconds"] for r in rounds])
    sim_cpu = median([r["simulator_cpu_seconds"] for r in rounds])
    row = [
        args.size,
        len(pages),
        len(pages) / wall,
        attempts / wall,
        sim_cpu / len(pages) * 1000,
        len(pages) / sim_cpu,
        attempts / sim_cpu,
        records / sim_cpu,
    ]
    columns = [
        "size",
        "full pages",
        "pages/s (1 client)",
        "attempts/s (1 client)",
        "sim CPU ms/page",
        "pages per sim CPU-s",
        "attempts per sim CPU-s",
        "records per sim CPU-s",
    ]
    print_table("Simulator serving 1000-record getChanged pages", columns, [row])
    payload = {
        "machine_at_start": before,
        "shape": vars(shape),
        "truth": truth,
        "pages": len(pages),
        "records": records,
        "attempts": attempts,
        "bytes_per_page": rounds[0]["bytes"] / max(len(pages), 1),
        "rounds": rounds,
    }
    path = write_results("serving", payload)
    console.print(f"results written: {path}")


if __name__ == "__main__":
    main()
