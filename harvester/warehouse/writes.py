"""Writes harvested items into the warehouse with bulk upserts.

Each function takes an open connection and writes inside the caller's
transaction, so that a page and its watermark advance commit together. Every
table gets one bulk ``INSERT ... ON CONFLICT`` per page (record_fields also
gets the delete that clears a changed entry's old fields).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    Text,
    bindparam,
    cast,
    column,
    delete,
    func,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSON

from harvester.api.models import (
    ChangedRecord,
    CompletedRecord,
    ItemError,
    ListRecord,
    RejectedItem,
)
from harvester.warehouse import flatten
from harvester.warehouse.models import (
    CallAttemptRow,
    ListRecordRow,
    RecordFieldRow,
    RecordResultRow,
)

LIST_RECORDS: Table = ListRecordRow.__table__  # type: ignore[assignment]
RECORD_FIELDS: Table = RecordFieldRow.__table__  # type: ignore[assignment]
RECORD_RESULTS: Table = RecordResultRow.__table__  # type: ignore[assignment]
CALL_ATTEMPTS: Table = CallAttemptRow.__table__  # type: ignore[assignment]

RESULT_KEY = ("campaign_id", "list_id", "record_key")
Where = Callable[[Any], ColumnElement[bool]]

# With RETURNING, SQLAlchemy sends SQLite many rows as one VALUES list, and
# sqlite3 keeps up to 128 prepared statements by text: a 1000-row statement
# holds about 1 MB, and every page's last batch has a new length, so the
# process grew by 1 MB a page until the cache was full. Batches of 100 rows
# keep the cached statements small at no measurable cost in speed.
SQLITE_ROWS_PER_STATEMENT = 100


@dataclass(frozen=True)
class StreamTarget:
    """The campaign and calling list a page belongs to."""

    campaign_id: int
    list_id: int
    campaign_name: str
    list_name: str
    key_fields: tuple[str, ...]


@dataclass
class PageCounts:
    """What one page added or changed in the warehouse."""

    records: int = 0
    records_new: int = 0
    attempts: int = 0
    attempts_new: int = 0
    rejected: int = 0
    rejected_items: list[RejectedItem] = field(default_factory=list)

    def add(self, other: PageCounts) -> None:
        """Adds another page's counts to these."""
        self.records += other.records
        self.records_new += other.records_new
        self.attempts += other.attempts
        self.attempts_new += other.attempts_new
        self.rejected += other.rejected


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Iterable[str],
    where: Where | None = None,
    returning: Sequence[str] = (),
) -> list[Any]:
    """Inserts rows, updating the given columns of rows whose keys exist.

    Args:
        where: builds the condition under which an existing row is updated,
            from the statement (use ``stmt.excluded`` for incoming values).
        returning: columns returned for every row inserted or updated.
    """
    if not rows:
        return []
    shape = _shape_of(conn, table, rows)
    conflict = (tuple(keys), tuple(update), where, tuple(returning))
    result = conn.execute(_upsert_statement(shape, *conflict), shape.parameters(rows))
    return list(result.all()) if returning else []


def insert_missing(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> None:
    """Inserts rows whose keys are not stored yet; existing rows are untouched."""
    if not rows:
        return
    shape = _shape_of(conn, table, rows)
    stmt = _insert_statement(shape).on_conflict_do_nothing(index_elements=list(keys))
    conn.execute(stmt, shape.parameters(rows))


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Inserts rows with no conflict handling, in one statement where possible."""
    if not rows:
        return
    shape = _shape_of(conn, table, rows)
    conn.execute(_insert_statement(shape), shape.parameters(rows))


@dataclass(frozen=True)
class _Shape:
    """What a bulk INSERT depends on: database, table, columns, one row or many.

    SQLite takes many rows as executemany parameters. PostgreSQL takes them
    in one statement reading a JSON array with json_to_recordset(): rendered
    into one VALUES list, as SQLAlchemy does with RETURNING, 1000 rows cost
    ten times more to parse and plan than to run, and as arrays (unnest) the
    driver escaped every text value in Python. Every row must name the same
    columns, as for executemany.
    """

    dialect: str
    table: Table
    names: tuple[str, ...]
    is_many: bool

    @property
    def uses_json(self) -> bool:
        """Whether the rows travel as one JSON array."""
        return self.dialect == "postgresql" and self.is_many

    def parameters(self, rows: Sequence[dict[str, Any]]) -> Any:
        """The rows as the statement of this shape takes them."""
        if not self.uses_json:
            return list(rows)
        return {"rows": _ROWS_JSON.encode(list(rows))}


def _json_value(value: Any) -> Any:
    # The warehouse stores naive UTC times; PostgreSQL reads ISO 8601 text.
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot be sent as a row value")


_ROWS_JSON = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), default=_json_value
)


def _shape_of(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> _Shape:
    return _Shape(conn.dialect.name, table, tuple(rows[0]), len(rows) > 1)


# Statements are built once per shape and reused: building one, and its
# ``excluded`` columns above all, cost more than executing it for a small page.
@functools.lru_cache(maxsize=128)
def _insert_statement(shape: _Shape) -> Any:
    if shape.dialect != "postgresql":
        return sqlite.insert(shape.table).execution_options(
            insertmanyvalues_page_size=SQLITE_ROWS_PER_STATEMENT
        )
    stmt = postgresql.insert(shape.table)
    if not shape.uses_json:
        return stmt
    rows = func.json_to_recordset(cast(bindparam("rows", type_=Text), JSON))
    columns = [column(name, shape.table.c[name].type) for name in shape.names]
    source = rows.table_valued(*columns).render_derived(with_types=True)
    return stmt.from_select(shape.names, select(*(source.c[n] for n in shape.names)))


@functools.lru_cache(maxsize=128)
def _upsert_statement(
    shape: _Shape,
    keys: tuple[str, ...],
    update: tuple[str, ...],
    where: Where | None,
    returning: tuple[str, ...],
) -> Any:
    stmt = _insert_statement(shape)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: stmt.excluded[name] for name in update},
        where=where(stmt) if where else None,
    )
    if returning:
        stmt = stmt.returning(*(shape.table.c[name] for name in returning))
    return stmt


def unique_rows(
    rows: Iterable[dict[str, Any]], keys: Sequence[str]
) -> list[dict[str, Any]]:
    # One statement may not touch a row twice (PostgreSQL refuses it), so the
    # last row of a key wins within a page, as it would across pages.
    by_key = {tuple(row[k] for k in keys): row for row in rows}
    return list(by_key.values())


_DELETE_FIELDS = delete(RECORD_FIELDS).where(
    RECORD_FIELDS.c.list_id == bindparam("list_id"),
    RECORD_FIELDS.c.record_key.in_(bindparam("record_keys", expanding=True)),
)


def _entry_changed(stmt: Any) -> ColumnElement[bool]:
    return LIST_RECORDS.c.entry_json.is_distinct_from(stmt.excluded.entry_json)


def store_entries(
    conn: Connection, list_id: int, entries: dict[str, dict[str, Any]], now: datetime
) -> tuple[int, int]:
    """Upserts the latest entries of records and re-flattens the changed ones.

    Returns:
        How many records were new, and how many were new or changed.
    """
    rows = [
        {
            "list_id": list_id,
            "record_key": key,
            "entry_json": flatten.dump_json(entry),
            "first_seen_at": now,
            "updated_at": now,
        }
        for key, entry in entries.items()
    ]
    returned = upsert(
        conn,
        LIST_RECORDS,
        rows,
        ("list_id", "record_key"),
        ("entry_json", "updated_at"),
        where=_entry_changed,
        returning=("record_key", "first_seen_at"),
    )
    changed = [key for key, _ in returned]
    if changed:
        conn.execute(_DELETE_FIELDS, {"list_id": list_id, "record_keys": changed})
        fields = [
            row
            for key in changed
            for row in flatten.field_rows(list_id, key, entries[key])
        ]
        insert_rows(conn, RECORD_FIELDS, fields)
    new = sum(1 for _, first_seen in returned if first_seen == now)
    return new, len(returned)


def _not_older(stmt: Any) -> ColumnElement[bool]:
    # A result read earlier must not overwrite one that saw a later attempt.
    existing = RECORD_RESULTS.c.last_attempt_at
    return or_(existing.is_(None), stmt.excluded.last_attempt_at >= existing)


def store_results(
    conn: Connection, rows: Sequence[dict[str, Any]], now: datetime
) -> None:
    """Upserts record_results rows; each updates only the columns it carries."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(sorted(row)), []).append({**row, "updated_at": now})
    for columns, group in by_columns.items():
        update = [name for name in (*columns, "updated_at") if name not in RESULT_KEY]
        upsert(
            conn,
            RECORD_RESULTS,
            unique_rows(group, RESULT_KEY),
            RESULT_KEY,
            sorted(set(update)),
            where=_not_older,
        )


def _attempt_changed(stmt: Any) -> ColumnElement[bool]:
    return CALL_ATTEMPTS.c.raw_json.is_distinct_from(stmt.excluded.raw_json)


def store_attempts(conn: Connection, rows: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Upserts call_attempts rows; returns how many were new and new or changed."""
    if not rows:
        return 0, 0
    now = rows[0]["harvested_at"]
    update = [c for c in rows[0] if c not in ("attempt_key", "harvested_at")]
    returned = upsert(
        conn,
        CALL_ATTEMPTS,
        unique_rows(rows, ("attempt_key",)),
        ("attempt_key",),
        update,
        where=_attempt_changed,
        returning=("attempt_key", "harvested_at"),
    )
    new = sum(1 for _, harvested_at in returned if harvested_at == now)
    return new, len(returned)


@dataclass
class _Batch:
    """Rows gathered from one page before they are written."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)
    attempts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[RejectedItem] = field(default_factory=list)


def _key_item(target: StreamTarget, raw_entry: dict[str, Any]) -> tuple[str, Any]:
    entry = flatten.normalize_entry(raw_entry)
    return flatten.record_key_of(entry, target.key_fields), entry


def _ids(target: StreamTarget, record_key: str) -> dict[str, Any]:
    return {
        "campaign_id": target.campaign_id,
        "list_id": target.list_id,
        "record_key": record_key,
    }


def _reject(batch: _Batch, position: int, exc: ItemError, raw: Any) -> None:
    batch.rejected.append(RejectedItem(position=position, reason=str(exc), raw=raw))


def _write_batch(
    conn: Connection, target: StreamTarget, batch: _Batch, now: datetime
) -> PageCounts:
    records_new, records = store_entries(conn, target.list_id, batch.entries, now)
    store_results(conn, batch.results, now)
    attempts_new, attempts = store_attempts(conn, batch.attempts)
    return PageCounts(
        records=records,
        records_new=records_new,
        attempts=attempts,
        attempts_new=attempts_new,
        rejected=len(batch.rejected),
        rejected_items=batch.rejected,
    )


def _gather(
    target: StreamTarget,
    items: Sequence[Any],
    add_rows: Callable[[_Batch, dict[str, Any], Any], None],
) -> _Batch:
    """Keys every item and lets ``add_rows`` add its rows; bad keys are rejected."""
    batch = _Batch()
    for position, item in enumerate(items):
        try:
            key, entry = _key_item(target, dict(item.entry))
        except ItemError as exc:
            _reject(batch, position, exc, item.raw)
            continue
        batch.entries[key] = entry
        add_rows(batch, _ids(target, key), item)
    return batch


def store_changed_page(
    conn: Connection,
    target: StreamTarget,
    items: Sequence[ChangedRecord],
    now: datetime,
) -> PageCounts:
    """Writes getChanged items: entries, results and every attempt."""
    names = (target.campaign_name, target.list_name)

    def add_rows(batch: _Batch, ids: dict[str, Any], item: ChangedRecord) -> None:
        batch.results.append(flatten.changed_result_row(item, ids))
        batch.attempts.extend(
            flatten.attempt_row(attempt, ids, names, now) for attempt in item.attempts
        )

    return _write_batch(conn, target, _gather(target, items, add_rows), now)


def store_completed_page(
    conn: Connection,
    target: StreamTarget,
    items: Sequence[CompletedRecord],
    now: datetime,
) -> PageCounts:
    """Writes getCompleted items: entries and completed results."""

    def add_rows(batch: _Batch, ids: dict[str, Any], item: CompletedRecord) -> None:
        batch.results.append(flatten.completed_result_row(item, ids))

    return _write_batch(conn, target, _gather(target, items, add_rows), now)


def store_list_page(
    conn: Connection, target: StreamTarget, items: Sequence[ListRecord], now: datetime
) -> PageCounts:
    """Writes getAll items: every entry, and results of records ever called."""

    def add_rows(batch: _Batch, ids: dict[str, Any], item: ListRecord) -> None:
        if flatten.has_activity(item.status) or item.status.completed:
            batch.results.append(
                {
                    **ids,
                    **flatten.status_columns(item.status),
                    "status_json": flatten.dump_json(item.raw.get("status")),
                }
            )

    return _write_batch(conn, target, _gather(target, items, add_rows), now)


def store_status_attempts(
    conn: Connection,
    target: StreamTarget,
    items: Sequence[ListRecord],
    at: datetime,
    now: datetime,
) -> int:
    """Stores, from getAll statuses, last attempts dated ``at`` not yet stored.

    This is the fallback for a getChanged page that cannot be paged past:
    the records beyond it are reachable only through getAll, whose status
    describes the last attempt without its code, dialing, CPA time or notes.
    An attempt stored in full from getChanged is never replaced.
    """
    rows = []
    names = (target.campaign_name, target.list_name)
    for item in items:
        status = item.status
        if status.last_date is None or status.last_date != at:
            continue
        try:
            key, _ = _key_item(target, dict(item.entry))
        except ItemError:
            continue
        attempt = flatten.attempt_from_status(status)
        rows.append(flatten.attempt_row(attempt, _ids(target, key), names, now))
    insert_missing(
        conn, CALL_ATTEMPTS, unique_rows(rows, ("attempt_key",)), ("attempt_key",)
    )
    return len(rows)
