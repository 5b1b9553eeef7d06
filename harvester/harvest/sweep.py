"""Full sweeps of a calling list by index with getAll: reconcile and fallback."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine

from harvester import metrics
from harvester.api.client import BpccClient
from harvester.api.paging import iter_list_pages
from harvester.timeutil import utcnow
from harvester.warehouse import rejects, state, writes
from harvester.warehouse.flatten import to_naive_utc

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]


def sweep_list(
    client: BpccClient,
    engine: Engine,
    target: writes.StreamTarget,
    run_id: str,
    totals: state.RunTotals,
    *,
    page_size: int = 1000,
    on_page: Progress | None = None,
    stuck_at: datetime | None = None,
) -> None:
    """Reads every record of a list by index and stores entries and statuses.

    This repairs what the time-based polls did not deliver: entries changed
    by an update with no activity since, and statuses of records a poll
    could not page past. It does not recover attempts: getAll reports only
    each record's last attempt, as a status. When ``stuck_at`` is given
    (a getChanged page that could not be paged past), the last attempts
    dated exactly then are stored from those statuses, as far as they go.
    """
    names = (target.campaign_name, target.list_name)
    started = time.monotonic()
    for page in iter_list_pages(
        client, target.list_name, target.campaign_name, page_size
    ):
        now = to_naive_utc(utcnow())
        with engine.begin() as conn:
            counts = writes.store_list_page(conn, target, page.items, now)
            if stuck_at is not None:
                writes.store_status_attempts(conn, target, page.items, stuck_at, now)
            rejected = [*page.rejected, *counts.rejected_items]
            rejects.store_rejected(conn, run_id, names, "sweep", rejected, now)
        counts.rejected = len(rejected)
        totals.add_page(counts)
        metrics.PAGES.labels("sweep").inc()
        metrics.RECORDS_STORED.inc(counts.records_new)
        if on_page is not None:
            on_page(page.received)
    logger.debug(
        "list swept campaign=%r list=%r pages=%d duration=%.2fs",
        target.campaign_name,
        target.list_name,
        totals.pages,
        time.monotonic() - started,
    )
