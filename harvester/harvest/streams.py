"""Reading one stream (completed or changed) of a campaign and list, page by page.

Each page is stored in one transaction with its watermark advance, so a crash
at any instant loses nothing and a re-run doubles nothing. A page that cannot
be paged past by time falls back to a sweep of the list by index.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from harvester import metrics
from harvester.api.paging import iter_changed_pages, iter_completed_pages
from harvester.errors import UnpageableError
from harvester.harvest import sweep
from harvester.harvest.context import HarvestContext, StopRequested
from harvester.harvest.watermarks import as_utc, next_watermark, poll_start
from harvester.timeutil import utcnow
from harvester.warehouse import rejects, state, writes
from harvester.warehouse.flatten import to_naive_utc

logger = logging.getLogger(__name__)

STREAMS = ("completed", "changed")
Store = Callable[[Connection, writes.StreamTarget, Any, datetime], writes.PageCounts]


def harvest_stream(
    ctx: HarvestContext,
    target: writes.StreamTarget,
    stream: str,
    run_id: str,
    totals: state.RunTotals,
) -> None:
    """Reads one stream from its watermark (or a backfill window) until caught up."""
    ids = (target.campaign_id, target.list_id, stream)
    if ctx.window is not None:
        from_time = ctx.window.since
    else:
        with ctx.engine.connect() as conn:
            stored = state.read_watermark(conn, *ids)
        from_time = poll_start(stored, ctx.settings.lookback_seconds)

    while True:
        try:
            _read_pages(ctx, target, stream, run_id, totals, from_time)
            break
        except UnpageableError as exc:
            _sweep_instead(ctx, target, stream, run_id, totals, exc.stuck_at)
            from_time = exc.stuck_at + timedelta(milliseconds=1)

    if ctx.window is None:
        with ctx.engine.begin() as conn:
            current = state.read_watermark(conn, *ids)
            state.write_watermark(conn, ids, current, _now(), is_success=True)


def _sweep_instead(
    ctx: HarvestContext,
    target: writes.StreamTarget,
    stream: str,
    run_id: str,
    totals: state.RunTotals,
    stuck_at: datetime,
) -> None:
    # More records share one time than a page holds: read the whole list by
    # index instead, then go on just past that time.
    logger.warning(
        "page cannot be paged past by time campaign=%r list=%r stream=%s time=%s; "
        "sweeping the list by index",
        target.campaign_name,
        target.list_name,
        stream,
        stuck_at.isoformat(),
    )
    sweep.sweep_list(
        ctx.client,
        ctx.engine,
        target,
        run_id,
        totals,
        page_size=ctx.settings.page_size,
        stuck_at=stuck_at if stream == "changed" else None,
    )
    totals.sweeps += 1


def _now() -> Any:
    return to_naive_utc(utcnow())


def _pages(
    ctx: HarvestContext, target: writes.StreamTarget, stream: str, since: Any
) -> Iterable[Any]:
    reader = iter_completed_pages if stream == "completed" else iter_changed_pages
    return reader(
        ctx.client,
        target.list_name,
        target.campaign_name,
        from_time=since,
        page_size=ctx.settings.page_size,
    )


def _read_pages(
    ctx: HarvestContext,
    target: writes.StreamTarget,
    stream: str,
    run_id: str,
    totals: state.RunTotals,
    from_time: datetime,
) -> None:
    store: Store = (
        writes.store_completed_page
        if stream == "completed"
        else writes.store_changed_page
    )
    started = time.monotonic()
    for time_page in _pages(ctx, target, stream, from_time):
        with ctx.engine.begin() as conn:
            counts = _store_page(ctx, conn, target, stream, run_id, time_page, store)
        _count_page(ctx, target, stream, counts, totals, time.monotonic() - started)
        started = time.monotonic()
        if ctx.stop.is_set():
            raise StopRequested
        until = ctx.window.until if ctx.window else None
        if (
            until is not None
            and time_page.max_time is not None
            and time_page.max_time > until
        ):
            return


def _store_page(
    ctx: HarvestContext,
    conn: Connection,
    target: writes.StreamTarget,
    stream: str,
    run_id: str,
    time_page: Any,
    store: Store,
) -> writes.PageCounts:
    """Stores a page, its rejected items and the watermark advance it allows."""
    now = _now()
    counts = store(conn, target, time_page.new_items, now)
    rejected = [*time_page.page.rejected, *counts.rejected_items]
    names = (target.campaign_name, target.list_name)
    rejects.store_rejected(conn, run_id, names, stream, rejected, now)
    counts.rejected = len(rejected)
    if ctx.window is not None:
        return counts

    ids = (target.campaign_id, target.list_id, stream)
    watermark = next_watermark(
        as_utc(state.read_watermark(conn, *ids)),
        time_page.max_time,
        time_page.page.server_time,
        ctx.clock_safety_seconds,
    )
    state.write_watermark(conn, ids, to_naive_utc(watermark), now, is_success=False)
    return counts


def _count_page(
    ctx: HarvestContext,
    target: writes.StreamTarget,
    stream: str,
    counts: writes.PageCounts,
    totals: state.RunTotals,
    seconds: float,
) -> None:
    totals.add_page(counts)
    metrics.PAGES.labels(stream).inc()
    metrics.PAGE_SECONDS.observe(seconds)
    metrics.RECORDS_STORED.inc(counts.records_new)
    metrics.ATTEMPTS_STORED.inc(counts.attempts_new)
    metrics.REJECTED_ITEMS.inc(counts.rejected)
    if ctx.on_page is not None:
        ctx.on_page(target.campaign_name, target.list_name, stream, counts.records)
