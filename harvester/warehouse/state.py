"""Harvest state: watermarks per campaign, list and stream, and harvest runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, select, update

from harvester.warehouse.models import HarvestRunRow, WatermarkRow
from harvester.warehouse.writes import PageCounts, upsert

WATERMARKS: Table = WatermarkRow.__table__  # type: ignore[assignment]
HARVEST_RUNS: Table = HarvestRunRow.__table__  # type: ignore[assignment]
WATERMARK_KEY = ("campaign_id", "list_id", "stream")
# Errors are stored for operators to read, not as a dump of everything.
MAX_ERROR_LENGTH = 2000


def read_watermark(
    conn: Connection, campaign_id: int, list_id: int, stream: str
) -> datetime | None:
    """The stored watermark of a stream, naive UTC, or None before the first."""
    query = select(WATERMARKS.c.watermark).where(
        WATERMARKS.c.campaign_id == campaign_id,
        WATERMARKS.c.list_id == list_id,
        WATERMARKS.c.stream == stream,
    )
    return conn.execute(query).scalar_one_or_none()


def write_watermark(
    conn: Connection,
    ids: tuple[int, int, str],
    watermark: datetime | None,
    now: datetime,
    *,
    is_success: bool,
) -> None:
    """Stores a stream's watermark; a success also clears its last error."""
    campaign_id, list_id, stream = ids
    row = {
        "campaign_id": campaign_id,
        "list_id": list_id,
        "stream": stream,
        "watermark": watermark,
        "updated_at": now,
    }
    update_columns = ["watermark", "updated_at"]
    if is_success:
        row |= {"last_success_at": now, "last_error": None}
        update_columns += ["last_success_at", "last_error"]
    upsert(conn, WATERMARKS, [row], WATERMARK_KEY, update_columns)


def record_stream_error(
    conn: Connection, ids: tuple[int, int, str], error: str, now: datetime
) -> None:
    """Notes the latest error of a stream, keeping its watermark."""
    campaign_id, list_id, stream = ids
    row = {
        "campaign_id": campaign_id,
        "list_id": list_id,
        "stream": stream,
        "last_error": error[:MAX_ERROR_LENGTH],
        "last_error_at": now,
        "updated_at": now,
    }
    upsert(
        conn,
        WATERMARKS,
        [row],
        WATERMARK_KEY,
        ("last_error", "last_error_at", "updated_at"),
    )


@dataclass
class RunTotals:
    """What a harvest run read and wrote, summed over its pages."""

    pages: int = 0
    counts: PageCounts | None = None
    sweeps: int = 0

    def add_page(self, counts: PageCounts) -> None:
        """Adds one stored page to the totals."""
        self.pages += 1
        if self.counts is None:
            self.counts = PageCounts()
        self.counts.add(counts)


def start_run(
    conn: Connection,
    run_id: str,
    kind: str,
    names: tuple[str | None, str | None],
    worker: str,
    now: datetime,
) -> int:
    """Records the start of a harvest run and returns its row id."""
    campaign, list_name = names
    result = conn.execute(
        HARVEST_RUNS.insert()
        .values(
            run_id=run_id,
            kind=kind,
            campaign_name=campaign,
            list_name=list_name,
            worker=worker,
            started_at=now,
        )
        .returning(HARVEST_RUNS.c.id)
    )
    return int(result.scalar_one())


def finish_run(
    conn: Connection, row_id: int, totals: RunTotals, error: str | None, now: datetime
) -> None:
    """Records the end of a harvest run with its totals and error, if any."""
    counts = totals.counts or PageCounts()
    conn.execute(
        update(HARVEST_RUNS)
        .where(HARVEST_RUNS.c.id == row_id)
        .values(
            finished_at=now,
            pages=totals.pages,
            records=counts.records,
            attempts=counts.attempts,
            rejected=counts.rejected,
            sweeps=totals.sweeps,
            error=error[:MAX_ERROR_LENGTH] if error else None,
        )
    )
