"""Rebuilds the flattened tables from the raw JSON kept beside them.

When the flattening changes (a new column, a fixed parser), ``harvester
rebuild`` replays every stored raw item through the same code the harvest
uses, so the tables look as if they had been harvested by the new version.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from harvester.api.models import (
    ItemError,
    parse_attempt,
    parse_changed_record,
    parse_completed_record,
    parse_status,
)
from harvester.timeutil import utcnow
from harvester.warehouse import flatten, writes
from harvester.warehouse.db import as_reader
from harvester.warehouse.models import (
    CallAttemptRow,
    ListRecordRow,
    RecordFieldRow,
)

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
_NO_IDS = {"campaign_id": None, "list_id": None, "record_key": ""}


@dataclass
class RebuildCounts:
    """How many rows a rebuild rewrote, and how many raw items failed."""

    records: int = 0
    results: int = 0
    attempts: int = 0
    failed: int = 0


def _batches(conn: Connection, query: Any) -> Iterator[list[Any]]:
    result = conn.execution_options(yield_per=BATCH_SIZE).execute(query)
    for partition in result.partitions():
        yield list(partition)


def rebuild_fields(engine: Engine, counts: RebuildCounts) -> None:
    """Re-flattens every stored entry into record_fields."""
    with engine.begin() as conn:
        conn.execute(delete(RecordFieldRow))
    query = select(
        ListRecordRow.list_id, ListRecordRow.record_key, ListRecordRow.entry_json
    )
    with as_reader(engine).connect() as reader:
        for batch in _batches(reader, query):
            rows = [
                row
                for list_id, key, entry_json in batch
                for row in flatten.field_rows(list_id, key, json.loads(entry_json))
            ]
            with engine.begin() as conn:
                if rows:
                    conn.execute(writes.RECORD_FIELDS.insert(), rows)
            counts.records += len(batch)


def _result_columns(changed: Any, completed: Any, status: Any) -> dict[str, Any]:
    # Later sources refine earlier ones, as they did when harvested: the
    # getAll status, then getCompleted, then getChanged.
    columns: dict[str, Any] = {}
    ids: dict[str, Any] = {}
    if status is not None:
        columns |= flatten.status_columns(parse_status(json.loads(status)))
    if completed is not None:
        item = parse_completed_record(json.loads(completed))
        columns |= flatten.completed_result_row(item, ids)
    if changed is not None:
        columns |= flatten.changed_result_row(
            parse_changed_record(json.loads(changed)), ids
        )
    for raw_column in ("changed_json", "completed_json"):
        columns.pop(raw_column, None)
    return columns


def rebuild_results(engine: Engine, counts: RebuildCounts) -> None:
    """Recomputes every record_results column from its stored raw items."""
    table = writes.RECORD_RESULTS
    query = select(
        table.c.campaign_id,
        table.c.list_id,
        table.c.record_key,
        table.c.changed_json,
        table.c.completed_json,
        table.c.status_json,
    )
    with as_reader(engine).connect() as reader:
        for batch in _batches(reader, query):
            with engine.begin() as conn:
                for campaign_id, list_id, key, changed, completed, status in batch:
                    try:
                        values = _result_columns(changed, completed, status)
                    except (ItemError, ValueError) as exc:
                        logger.warning(
                            "result not rebuilt record_key=%r error=%s", key, exc
                        )
                        counts.failed += 1
                        continue
                    conn.execute(
                        table.update()
                        .where(
                            table.c.campaign_id == campaign_id,
                            table.c.list_id == list_id,
                            table.c.record_key == key,
                        )
                        .values(values)
                    )
                    counts.results += 1


def rebuild_attempts(engine: Engine, counts: RebuildCounts) -> None:
    """Recomputes every call_attempts column from its stored raw attempt."""
    table = writes.CALL_ATTEMPTS
    query = select(CallAttemptRow.attempt_key, CallAttemptRow.raw_json)
    with as_reader(engine).connect() as reader:
        for batch in _batches(reader, query):
            with engine.begin() as conn:
                for attempt_key, raw_json in batch:
                    try:
                        attempt = parse_attempt(json.loads(raw_json))
                    except (ItemError, ValueError) as exc:
                        logger.warning(
                            "attempt not rebuilt key=%r error=%s", attempt_key, exc
                        )
                        counts.failed += 1
                        continue
                    values = _attempt_columns(attempt)
                    conn.execute(
                        table.update()
                        .where(table.c.attempt_key == attempt_key)
                        .values(values)
                    )
                    counts.attempts += 1


def _attempt_columns(attempt: Any) -> dict[str, Any]:
    # The same row the harvest writes, less the keys and the first harvest
    # time, which a rebuild keeps.
    now = flatten.to_naive_utc(utcnow())
    row = flatten.attempt_row(attempt, _NO_IDS, ("", ""), now)
    for kept in ("attempt_key", "campaign_id", "list_id", "record_key", "harvested_at"):
        row.pop(kept)
    return row


def rebuild(engine: Engine) -> RebuildCounts:
    """Rebuilds record_fields, record_results and call_attempts from raw JSON."""
    counts = RebuildCounts()
    rebuild_fields(engine, counts)
    rebuild_results(engine, counts)
    rebuild_attempts(engine, counts)
    return counts
