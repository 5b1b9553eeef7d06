"""The limit a harvest is measured against: fetch, parse and insert, nothing else.

The limit reads the same pages the harvester reads (getCompleted and
getChanged of every campaign and list, 1000 records a page, each page asked
from the latest time of the one before, until a page brings nothing new),
parses them with json and the harvester's own item parsers, builds the same
rows with the harvester's own flattening functions and inserts them with
plain DB-API ``executemany`` INSERTs on SQLite and ``COPY`` on PostgreSQL,
one transaction per page, into fresh tables that have the warehouse's columns
and indexes but no constraints.

It keeps no watermarks, runs no upserts, records no runs and checks nothing
beyond what paging needs; that is the harvest logic the ratio prices. Each
stage is also timed alone over the same pages: fetching only, parsing and
row building of fetched pages, and inserting rows built beforehand.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests
from sqlalchemy import Column, Engine, Index, MetaData, Table, UniqueConstraint

from harvester.api.models import (
    ChangedRecord,
    CompletedRecord,
    Page,
    parse_changed_record,
    parse_completed_record,
    parse_page,
)
from harvester.timeutil import format_api_time
from harvester.warehouse import flatten
from harvester.warehouse.db import create_warehouse_engine
from harvester.warehouse.models import Base

API = "/configapi/v2/"
PAGE_SIZE = 1000
FIRST_FROM = "2000-01-01T00:00:00.000"
TABLES = ("list_records", "record_fields", "record_results", "call_attempts")
PARSERS: dict[str, Callable[[Any], Any]] = {
    "completed": parse_completed_record,
    "changed": parse_changed_record,
}
METHODS = {"completed": "callinglist/getCompleted", "changed": "callinglist/getChanged"}


@dataclass(frozen=True)
class PageRequest:
    """One page request: where it goes and what it asks."""

    campaign: str
    list_name: str
    stream: str
    from_time: str


@dataclass
class StageSeconds:
    """Seconds spent in each stage of a pass, and what the pass handled."""

    fetch: float = 0.0
    parse: float = 0.0
    rows: float = 0.0
    insert: float = 0.0
    total: float = 0.0
    pages: int = 0
    items: int = 0
    rows_inserted: int = 0


@dataclass
class Rows:
    """Rows of one page for each limit table, and the keys already inserted."""

    tables: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {name: [] for name in TABLES}
    )


def limit_metadata() -> MetaData:
    """The limit tables: the warehouse's columns and indexes, no constraints.

    Primary keys and unique constraints become plain indexes, so an insert
    pays for the same index upkeep as the harvester's but no conflict check.
    """
    metadata = MetaData()
    for name in TABLES:
        source = Base.metadata.tables[name]
        table = Table(name, metadata, *(Column(c.name, c.type) for c in source.c))
        key_sets = [[c.name for c in source.primary_key.columns]]
        key_sets += [[c.name for c in index.columns] for index in source.indexes]
        key_sets += [
            [c.name for c in constraint.columns]
            for constraint in source.constraints
            if isinstance(constraint, UniqueConstraint)
        ]
        for number, columns in enumerate(key_sets):
            if columns:
                Index(f"lx_{name}_{number}", *(table.c[c] for c in columns))
    return metadata


class PageFetcher:
    """Asks the API for pages with requests and returns the raw bodies."""

    def __init__(self, base_url: str, credentials: tuple[str, str]) -> None:
        self.base_url = base_url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {_token(base_url, credentials)}"

    def close(self) -> None:
        """Closes the HTTP session."""
        self.http.close()

    def campaigns(self) -> list[tuple[str, list[str]]]:
        """The enabled campaigns and their lists."""
        body = self.fetch_path("campaign/getAll", None, "GET")
        return [(item["name"], item["lists"]) for item in json.loads(body)]

    def fetch(self, request: PageRequest) -> bytes:
        """The raw body of one page."""
        names = (request.list_name, request.campaign)
        path = "/".join([METHODS[request.stream], *(quote(n, safe="") for n in names)])
        body = {"fromTime": request.from_time, "maxSize": PAGE_SIZE}
        return self.fetch_path(path, body, "POST")

    def fetch_path(self, path: str, body: Any, method: str) -> bytes:
        """The raw body of one API call."""
        response = self.http.request(
            method, f"{self.base_url}{API}{path}", json=body, timeout=120
        )
        response.raise_for_status()
        return response.content


class Pipeline:
    """Fetches, parses and inserts pages of one tenant into limit tables."""

    def __init__(self, fetcher: PageFetcher, engine: Engine) -> None:
        self.fetcher = fetcher
        self.engine = engine
        self.ids: dict[str, int] = {}
        self.seen: set[tuple[Any, ...]] = set()

    def reset_tables(self) -> None:
        """Drops and recreates the limit tables, and forgets the rows inserted."""
        metadata = limit_metadata()
        metadata.drop_all(self.engine)
        metadata.create_all(self.engine)
        self.seen = set()

    def rows(self, request: PageRequest, page: Page[Any]) -> Rows:
        """The rows one page adds; entries, results, attempts each go in once."""
        rows = Rows()
        now = datetime.now(UTC).replace(tzinfo=None)
        list_id = self._id(f"list:{request.list_name}")
        ids = {"campaign_id": self._id(f"campaign:{request.campaign}")}
        ids["list_id"] = list_id
        names = (request.campaign, request.list_name)
        for item in page.items:
            entry = flatten.normalize_entry(dict(item.entry))
            key = flatten.record_key_of(entry, ("id",))
            item_ids = {**ids, "record_key": key}
            self._add_entry(rows, list_id, key, entry, now)
            self._add_result(rows, request.stream, item, item_ids, now)
            if isinstance(item, ChangedRecord):
                for attempt in item.attempts:
                    row = flatten.attempt_row(attempt, item_ids, names, now)
                    if self._is_new(("attempt", row["attempt_key"])):
                        rows.tables["call_attempts"].append(row)
        return rows

    def insert(self, rows: Rows) -> int:
        """Inserts one page's rows in one transaction; returns how many."""
        count = 0
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.engine.dialect.name == "sqlite":
                # The warehouse engine leaves SQLite in autocommit mode and
                # opens transactions itself (see warehouse/db.py).
                cursor.execute("begin")
            for name, table_rows in rows.tables.items():
                if not table_rows:
                    continue
                if self.engine.dialect.name == "postgresql":
                    _copy_rows(cursor, name, table_rows)
                else:
                    cursor.executemany(_insert_sql(self.engine, name), table_rows)
                count += len(table_rows)
            raw.commit()
        finally:
            raw.close()
        return count

    def _add_entry(
        self, rows: Rows, list_id: int, key: str, entry: Any, now: datetime
    ) -> None:
        if not self._is_new(("entry", list_id, key)):
            return
        rows.tables["list_records"].append(
            {
                "list_id": list_id,
                "record_key": key,
                "entry_json": flatten.dump_json(entry),
                "first_seen_at": now,
                "updated_at": now,
            }
        )
        rows.tables["record_fields"].extend(flatten.field_rows(list_id, key, entry))

    def _add_result(
        self, rows: Rows, stream: str, item: Any, ids: dict[str, Any], now: datetime
    ) -> None:
        identity = (stream, ids["campaign_id"], ids["list_id"], ids["record_key"])
        if not self._is_new(identity):
            return
        if isinstance(item, CompletedRecord):
            row = flatten.completed_result_row(item, ids)
        else:
            row = flatten.changed_result_row(item, ids)
        rows.tables["record_results"].append(_full_result(row, now))

    def _is_new(self, key: tuple[Any, ...]) -> bool:
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _id(self, name: str) -> int:
        return self.ids.setdefault(name, len(self.ids) + 1)


_RESULT_COLUMNS = [c.name for c in Base.metadata.tables["record_results"].c]


def _full_result(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    # executemany needs every row to name the same columns.
    full = dict.fromkeys(_RESULT_COLUMNS)
    full.update(row)
    full["updated_at"] = now
    return full


def _copy_rows(cursor: Any, name: str, rows: list[dict[str, Any]]) -> None:
    # COPY is PostgreSQL's fastest way in: executemany of INSERTs sends a
    # statement a row, slower than the harvest's own one statement a page.
    names = [c.name for c in Base.metadata.tables[name].c]
    with cursor.copy(f"copy {name} ({', '.join(names)}) from stdin") as copy:
        for row in rows:
            copy.write_row([row[c] for c in names])


def _insert_sql(engine: Engine, name: str) -> str:
    # Every row of a table names all its columns (see _full_result).
    names = [c.name for c in Base.metadata.tables[name].c]
    if engine.dialect.name == "postgresql":
        values = ", ".join(f"%({c})s" for c in names)
    else:
        values = ", ".join(f":{c}" for c in names)
    return f"insert into {name} ({', '.join(names)}) values ({values})"


def _token(base_url: str, credentials: tuple[str, str]) -> str:
    client_id, secret = credentials
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "scope": "127.0.0.1",
    }
    response = requests.post(f"{base_url}{API}oauth/token", data=form, timeout=30)
    response.raise_for_status()
    return str(response.json()["access_token"])


def parse(request: PageRequest, body: bytes) -> Page[Any]:
    """json and the harvester's item parser: the page as the harvester reads it."""
    return parse_page(json.loads(body), PARSERS[request.stream], requested=PAGE_SIZE)


def next_from(page: Page[Any], stream: str) -> str | None:
    """The next page's fromTime: the latest item time, as the harvester pages."""
    if stream == "completed":
        times = [item.completed_time for item in page.items]
    else:
        times = [item.activity_time for item in page.items]
    latest = max((t for t in times if t is not None), default=None)
    return None if latest is None else format_api_time(latest)


def run_pipeline(pipeline: Pipeline) -> tuple[StageSeconds, list[PageRequest]]:
    """Pass 1: every stage, timed each and together; returns the pages asked."""
    seconds = StageSeconds()
    asked: list[PageRequest] = []
    started = time.perf_counter()
    for campaign, lists in pipeline.fetcher.campaigns():
        for list_name in lists:
            for stream in ("completed", "changed"):
                names = (campaign, list_name, stream)
                asked += _read_stream(pipeline, names, seconds)
    seconds.total = time.perf_counter() - started
    return seconds, asked


def _read_stream(
    pipeline: Pipeline, names: tuple[str, str, str], s: StageSeconds
) -> list[PageRequest]:
    """Reads one stream page by page until a page brings no new row."""
    asked = []
    from_time = FIRST_FROM
    while True:
        request = PageRequest(*names, from_time)
        asked.append(request)
        t0 = time.perf_counter()
        body = pipeline.fetcher.fetch(request)
        t1 = time.perf_counter()
        page = parse(request, body)
        t2 = time.perf_counter()
        rows = pipeline.rows(request, page)
        t3 = time.perf_counter()
        inserted = pipeline.insert(rows)
        t4 = time.perf_counter()
        s.fetch, s.parse = s.fetch + t1 - t0, s.parse + t2 - t1
        s.rows, s.insert = s.rows + t3 - t2, s.insert + t4 - t3
        s.pages, s.items = s.pages + 1, s.items + page.received
        s.rows_inserted += inserted
        if not any(rows.tables.values()):
            return asked
        from_time = next_from(page, request.stream) or from_time


def run_alone(pipeline: Pipeline, asked: list[PageRequest], stage: str) -> float:
    """Passes 2 to 4: the seconds of one stage over the same pages.

    ``fetch`` only fetches; ``parse`` (json, item parsers and row building)
    parses pages fetched untimed; ``insert`` inserts, into fresh tables, rows
    fetched and built untimed.
    """
    if stage == "insert":
        pipeline.reset_tables()
    else:
        pipeline.seen = set()
    timed = 0.0
    for request in asked:
        t0 = time.perf_counter()
        body = pipeline.fetcher.fetch(request)
        t1 = time.perf_counter()
        if stage == "fetch":
            timed += t1 - t0
            continue
        rows = pipeline.rows(request, parse(request, body))
        t2 = time.perf_counter()
        if stage == "parse":
            timed += t2 - t1
            continue
        pipeline.insert(rows)
        timed += time.perf_counter() - t2
    return timed


def measure_limit(
    base_url: str, database_url: str, credentials: tuple[str, str]
) -> dict[str, Any]:
    """Runs the four passes on a fresh database; the job of a child process."""
    engine = create_warehouse_engine(database_url)
    pipeline = Pipeline(PageFetcher(base_url, credentials), engine)
    try:
        pipeline.reset_tables()
        stages, asked = run_pipeline(pipeline)
        alone = {
            stage: run_alone(pipeline, asked, stage)
            for stage in ("fetch", "parse", "insert")
        }
    finally:
        pipeline.fetcher.close()
        engine.dispose()
    return {"pipeline": asdict(stages), "alone": alone, "requests": len(asked)}
