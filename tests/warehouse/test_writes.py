"""Bulk upserts of harvested pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from harvester.api.models import (
    Campaign,
    RejectedItem,
    parse_changed_record,
    parse_completed_record,
    parse_list_record,
)
from harvester.warehouse import catalog, rejects, state, writes
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from harvester.warehouse.models import (
    CallAttemptRow,
    CampaignListRow,
    CampaignRow,
    ListRecordRow,
    RecordFieldRow,
    RecordResultRow,
    RejectedItemRow,
)

T0 = datetime(2026, 1, 5, 9, 0, 0)
T1 = datetime(2026, 1, 5, 9, 5, 0)


@pytest.fixture
def engine(database_url: str):
    engine = create_warehouse_engine(database_url)
    upgrade_warehouse(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def target(engine: Engine) -> writes.StreamTarget:
    with engine.begin() as conn:
        ids = catalog.sync_catalog(
            conn, [Campaign("Outbound", "RUNNING", ("list.csv",))], T0, is_complete=True
        )
    return writes.StreamTarget(
        campaign_id=ids.campaigns["Outbound"],
        list_id=ids.lists["list.csv"],
        campaign_name="Outbound",
        list_name="list.csv",
        key_fields=("id",),
    )


def changed_item(key: str, attempts: list[tuple[str, str]], **entry: str):
    raw = {
        "entry": {"id": key, **entry},
        "completed": False,
        "recordDisposition": "",
        "recordDispositionCode": "",
        "totalAttempts": len(attempts),
        "attempts": [
            {
                "call_attempted": True,
                "disposition": disposition,
                "dispositionCode": "",
                "date": date,
                "phone": "16505550000",
                "callDuration": 30,
                "dialingDuration": 5,
                "callNotes": "",
                "agent": "elizabeth",
                "globalInteractionID": f"GID-{key}-{date}",
                "CPADuration": 1,
            }
            for date, disposition in attempts
        ],
    }
    return parse_changed_record(raw)


def count(engine: Engine, model: type) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(model)).scalar_one())


def test_store_changed_page_twice_doubles_nothing(engine, target):
    items = [
        changed_item("1", [("2026-01-05T09:00:00.000", "Busy")], firstName="Ann"),
        changed_item("2", [("2026-01-05T09:01:00.000", "No answer")], firstName="Bo"),
    ]
    with engine.begin() as conn:
        first = writes.store_changed_page(conn, target, items, T0)
    with engine.begin() as conn:
        second = writes.store_changed_page(conn, target, items, T1)

    assert (first.records_new, first.attempts_new) == (2, 2)
    assert (second.records_new, second.attempts_new, second.attempts) == (0, 0, 0)
    assert count(engine, ListRecordRow) == 2
    assert count(engine, CallAttemptRow) == 2
    assert count(engine, RecordResultRow) == 2
    assert count(engine, RecordFieldRow) == 4


def test_store_changed_page_updated_entry_latest_fields_win(engine, target):
    with engine.begin() as conn:
        writes.store_changed_page(
            conn, target, [changed_item("1", [], firstName="Ann", city="Oslo")], T0
        )
    with engine.begin() as conn:
        writes.store_changed_page(
            conn, target, [changed_item("1", [], firstName="Anna")], T1
        )

    with engine.connect() as conn:
        query = select(RecordFieldRow.field_name, RecordFieldRow.field_value)
        fields = {k: v for k, v in conn.execute(query)}
        entry = conn.execute(select(ListRecordRow.entry_json)).scalar_one()
    assert fields == {"id": "1", "firstname": "Anna"}
    assert json.loads(entry) == {"id": "1", "firstname": "Anna"}


def test_store_results_older_read_keeps_newer_disposition(engine, target):
    newer = changed_item(
        "1",
        [("2026-01-05T09:00:00.000", "Busy"), ("2026-01-05T09:30:00.000", "Sold")],
    )
    older = changed_item("1", [("2026-01-05T09:00:00.000", "Busy")])
    with engine.begin() as conn:
        writes.store_changed_page(conn, target, [newer], T0)
    with engine.begin() as conn:
        writes.store_changed_page(conn, target, [older], T1)

    with engine.connect() as conn:
        row = conn.execute(
            select(RecordResultRow.last_disposition, RecordResultRow.total_attempts)
        ).one()
    assert tuple(row) == ("Sold", 2)
    assert count(engine, CallAttemptRow) == 2


def test_store_completed_then_changed_keeps_completion_time(engine, target):
    completed = parse_completed_record(
        {
            "completedTime": "2026-01-05T09:30:00.000",
            "entry": {"id": "1"},
            "status": {
                "completed": True,
                "lastDate": "2026-01-05T09:30:00.000",
                "lastDisposition": "Sold",
                "totalAttempts": 2,
            },
        }
    )
    changed = changed_item(
        "1",
        [("2026-01-05T09:00:00.000", "Busy"), ("2026-01-05T09:30:00.000", "Sold")],
    )
    with engine.begin() as conn:
        writes.store_completed_page(conn, target, [completed], T0)
        writes.store_changed_page(conn, target, [changed], T0)

    with engine.connect() as conn:
        row = conn.execute(
            select(RecordResultRow.is_completed, RecordResultRow.completed_at)
        ).one()
    assert row.completed_at == datetime(2026, 1, 5, 9, 30)
    assert row.is_completed is False  # getChanged read later says not completed


def test_store_changed_page_missing_key_rejects_only_that_item(engine, target):
    good = changed_item("1", [("2026-01-05T09:00:00.000", "Busy")])
    bad = parse_changed_record({**dict(good.raw), "entry": {"name": "no key"}})
    with engine.begin() as conn:
        counts = writes.store_changed_page(conn, target, [bad, good], T0)

    assert counts.rejected == 1
    assert "key field 'id'" in counts.rejected_items[0].reason
    assert count(engine, ListRecordRow) == 1


def test_store_list_page_never_called_record_has_no_result(engine, target):
    items = [
        parse_list_record(
            {"entry": {"id": "1"}, "index": 0, "status": {"completed": False}}
        ),
        parse_list_record(
            {
                "entry": {"id": "2"},
                "index": 1,
                "status": {
                    "completed": True,
                    "totalAttempts": 1,
                    "lastDate": "2026-01-05T09:00:00.000",
                },
            }
        ),
    ]
    with engine.begin() as conn:
        writes.store_list_page(conn, target, items, T0)

    assert count(engine, ListRecordRow) == 2
    assert count(engine, RecordResultRow) == 1


def test_store_rejected_same_item_again_keeps_one_row(engine):
    item = RejectedItem(position=0, reason="field 'entry' is missing", raw={"x": 1})
    for now in (T0, T1):
        with engine.begin() as conn:
            rejects.store_rejected(conn, "run", ("c", "l"), "changed", [item], now)

    with engine.connect() as conn:
        rows = conn.execute(
            select(RejectedItemRow.rejected_at, RejectedItemRow.last_seen_at)
        ).all()
    assert [tuple(r) for r in rows] == [(T0, T1)]


def test_store_rejected_nul_and_nan_are_storable(engine):
    raw = {"entry": {"id": "a\x00b"}, "n": float("nan")}
    item = RejectedItem(position=0, reason="NUL", raw=raw)
    with engine.begin() as conn:
        rejects.store_rejected(conn, "run", ("c\n;'", None), "changed", [item], T0)

    with engine.connect() as conn:
        stored = conn.execute(
            select(RejectedItemRow.raw_json, RejectedItemRow.campaign_name)
        ).one()
    assert "\\u0000" in stored.raw_json
    assert stored.campaign_name == "c\n;'"


def test_sync_catalog_missing_campaign_marked_not_enabled(engine):
    both = [
        Campaign("A", "RUNNING", ("a.csv", "shared.csv")),
        Campaign("B", "RUNNING", ("shared.csv",)),
    ]
    with engine.begin() as conn:
        catalog.sync_catalog(conn, both, T0, is_complete=True)
    with engine.begin() as conn:
        catalog.sync_catalog(
            conn, [Campaign("A", "STOPPED", ("a.csv",))], T1, is_complete=True
        )

    with engine.connect() as conn:
        query = select(CampaignRow.name, CampaignRow.is_enabled)
        campaigns = {k: v for k, v in conn.execute(query)}
        linked = conn.execute(
            select(func.count()).where(CampaignListRow.is_linked)
        ).scalar()
        names = catalog.enabled_campaign_names(conn)
    assert campaigns == {"A": True, "B": False}
    assert linked == 2  # A-a.csv and B-shared.csv; A-shared.csv unlinked
    assert names == ["A"]


def test_sync_catalog_reappearing_campaign_enabled_again(engine):
    campaign = Campaign("A", "RUNNING", ("a.csv",))
    with engine.begin() as conn:
        catalog.sync_catalog(conn, [campaign], T0, is_complete=True)
        catalog.sync_catalog(conn, [], T0, is_complete=True)
        catalog.sync_catalog(conn, [campaign], T1, is_complete=True)

    with engine.connect() as conn:
        row = conn.execute(
            select(CampaignRow.is_enabled, CampaignRow.first_seen_at)
        ).one()
    assert tuple(row) == (True, T0)


def test_watermark_success_clears_error(engine, target):
    ids = (target.campaign_id, target.list_id, "changed")
    with engine.begin() as conn:
        state.write_watermark(conn, ids, T0, T0, is_success=False)
        state.record_stream_error(conn, ids, "tenant unreachable", T1)
    with engine.begin() as conn:
        assert state.read_watermark(conn, *ids) == T0
        state.write_watermark(conn, ids, T1, T1, is_success=True)

    with engine.connect() as conn:
        assert state.read_watermark(conn, *ids) == T1
        rows = conn.execute(select(state.WATERMARKS.c.last_error)).scalars().all()
    assert rows == [None]
