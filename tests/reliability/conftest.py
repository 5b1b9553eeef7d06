"""Fixtures of the reliability suite: figures, a private PostgreSQL, contexts.

Set ``RELIABILITY_FIGURES`` to a file path to keep the figures the tests
measure (faults injected, kills, examples tried, soak samples) as JSON lines;
docs/reliability.md is written from them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harvester.harvest.context import HarvestContext
from harvester.simulator import SimulatorServer
from tests.reliability.support import (
    PrivateCluster,
    close_context,
    make_cluster,
    open_context,
    postgres_bin,
    remove_cluster,
)

FIGURES_VARIABLE = "RELIABILITY_FIGURES"

Record = Callable[..., None]
ContextOpener = Callable[..., HarvestContext]


@pytest.fixture(scope="session")
def figures() -> Iterator[Record]:
    """Records one figure: ``figures("faults", kind="dropped", injected=12)``."""
    rows: list[dict[str, Any]] = []
    target = os.environ.get(FIGURES_VARIABLE)

    def record(topic: str, **values: Any) -> None:
        rows.append({"topic": topic, **values})

    yield record
    if target and rows:
        with Path(target).open("a", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, default=str) + "\n")


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    """A PostgreSQL server of this test only, in a temporary folder.

    Skips where the PostgreSQL server binaries are not installed, except in
    CI (``CI=true``), where they must be.
    """
    cluster = make_cluster() if postgres_bin() is not None else None
    if cluster is None:
        reason = "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI requires them")
        pytest.skip(reason)
    try:
        yield cluster
    finally:
        remove_cluster(cluster)


@pytest.fixture
def open_harvest() -> Iterator[ContextOpener]:
    """Opens harvest contexts (``open_harvest(server, url, **settings)``)."""
    opened: list[HarvestContext] = []

    def build(
        server: SimulatorServer, database_url: str, **changes: Any
    ) -> HarvestContext:
        ctx = open_context(server, database_url, **changes)
        opened.append(ctx)
        return ctx

    yield build
    for ctx in opened:
        close_context(ctx)
