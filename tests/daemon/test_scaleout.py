"""Several daemons on one warehouse: shared work on PostgreSQL, refusal on SQLite."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from harvester.simulator import SimulatorConfig
from tests.daemon.conftest import (
    START_TIMEOUT_SECONDS,
    harvested_to_truth,
    open_warehouse,
    rows,
    wait_for,
    wait_until_serving,
)

# Seven campaign and list pairs, and enough history that a harvest of one
# pair takes several pages: the kill lands in the middle of a run.
SHARED = SimulatorConfig(
    seed=9,
    campaigns=3,
    lists_per_campaign=2,
    shared_lists=1,
    records_per_list=400,
    history_seconds=3 * 3600,
    dial_rate_per_second=0.3,
)
RUNS = (
    "select campaign_name, list_name, worker, started_at, finished_at "
    "from harvest_runs where kind = 'harvest'"
)


def utc_naive_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def clashes(runs, killed: str, killed_at: datetime) -> list[tuple[Any, ...]]:
    """Runs of one campaign and list by two workers that overlap in time.

    A killed worker never closed its last run: it ends at the kill.
    """
    spans = defaultdict(list)
    for campaign, list_name, worker, started, finished in runs:
        if finished is None:
            assert worker == killed, f"run of {worker} left open"
            finished = killed_at
        spans[(campaign, list_name)].append((started, finished, worker))
    return [
        (pair, first, second)
        for pair, pair_spans in spans.items()
        for first, second in itertools.combinations(pair_spans, 2)
        if first[2] != second[2] and first[0] < second[1] and second[0] < first[1]
    ]


@pytest.mark.postgres
def test_three_daemons_one_killed_share_work_equal_truth(
    make_simulator, start_daemon, postgres_url
):
    engine = open_warehouse(postgres_url)
    server = make_simulator(SHARED)
    daemons = [
        start_daemon(server.url, postgres_url, HARVESTER_PAGE_SIZE="50")
        for _ in range(3)
    ]
    victim = daemons[0]

    # The victim dies in a run, after it finished others: it shared the work.
    def is_victim_harvesting() -> list[Any]:
        server.clock.advance(10)
        runs = rows(engine, RUNS)
        own = [r for r in runs if r.worker == victim.worker]
        is_sharing = len({r.worker for r in runs}) >= 2
        has_finished = any(r.finished_at is not None for r in own)
        open_runs = [r for r in own if r.finished_at is None]
        return open_runs if is_sharing and has_finished else []

    try:
        (run, *_) = wait_for(is_victim_harvesting, 120, "the victim to be harvesting")
        killed_at = utc_naive_now()
        victim.process.kill()
        victim.wait(30)

        def is_taken_over() -> bool:
            server.clock.advance(10)
            return any(
                r.worker != victim.worker and r.started_at > killed_at
                for r in rows(engine, RUNS)
                if (r.campaign_name, r.list_name) == (run.campaign_name, run.list_name)
            )

        wait_for(is_taken_over, 60, "another daemon to take over the victim's list")
        server.tenant.settle()
        harvested_to_truth(engine, server, 150)
        assert [daemon.stop() for daemon in daemons[1:]] == [0, 0]

        runs = rows(engine, RUNS)
        assert not clashes(runs, victim.worker, killed_at)
        assert {r.worker for r in runs} == {d.worker for d in daemons}
    finally:
        engine.dispose()


def test_second_daemon_same_sqlite_file_refuses(
    make_simulator, start_daemon, sqlite_url
):
    engine = open_warehouse(sqlite_url)
    engine.dispose()
    server = make_simulator(SimulatorConfig(seed=2, records_per_list=20))
    first = start_daemon(server.url, sqlite_url)
    wait_until_serving(first)

    second = start_daemon(server.url, sqlite_url)
    assert second.wait(START_TIMEOUT_SECONDS) == 1

    database = Path(make_url(sqlite_url).database or "").resolve()
    expected = f"error: another harvester daemon is already running on '{database}'"
    assert second.log().splitlines() == [expected]
    assert first.process.poll() is None
    assert first.stop() == 0
