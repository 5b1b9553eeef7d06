"""A small hand-made warehouse whose every figure is known, stored by the real writes.

Two campaigns share one list; "Sales" also dials "list.csv"; "Old" was
listed once and then disappeared (not enabled). Times are naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from harvester.api.models import Campaign, parse_changed_record, parse_completed_record
from harvester.warehouse import catalog, state, writes
from harvester.warehouse.models import CallingListRow, CampaignRow

DISCOVERED_AT = datetime(2026, 1, 5, 7, 0, 0)
HARVESTED_AT = datetime(2026, 1, 6, 16, 0, 0)
SALES = Campaign("Sales", "RUNNING", ("list.csv", "Shared List"))
RETENTION = Campaign("Retention", "PAUSED", ("Shared List",))
OLD = Campaign("Old", "RUNNING", ("legacy",))


@dataclass(frozen=True)
class Call:
    """One attempt as the API reports it."""

    date: str
    disposition: str
    code: str
    agent: str = ""
    duration: int = 0
    gid: str | None = None


@dataclass
class Record:
    """A record of a list with its attempts in one campaign."""

    entry: dict[str, Any]
    calls: list[Call]
    completed_at: str | None = None
    disposition: str = ""
    code: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


SALES_LIST = [
    Record(
        {"id": "r1", "firstName": "Ann", "phone": "555-0001"},
        [
            Call("2026-01-05T08:00:00.000", "Busy", "B", gid="g-r1-1"),
            Call("2026-01-05T09:30:00.000", "Sale", "S", "ann", 120, "g-r1-2"),
        ],
        completed_at="2026-01-05T09:32:00.000",
        disposition="Sale",
        code="S",
    ),
    Record(
        {"id": "r2", "firstName": "Bo", "phone": "555-0002"},
        [Call("2026-01-06T10:15:00.000", "No Answer", "NA", gid="g-r2-1")],
    ),
]
SALES_SHARED = [
    Record(
        {"id": "s1", "Company": "Acme"},
        [Call("2026-01-05T08:45:00.000", "Sale", "S", "bob", 60, "g-s1-1")],
        completed_at="2026-01-05T08:46:00.000",
        disposition="Sale",
        code="S",
    ),
]
RETENTION_SHARED = [
    Record(
        {"id": "s1", "Company": "Acme"},
        [Call("2026-01-06T14:00:00.000", "Not Interested", "NI", "bob", 30, "g-s1-2")],
    ),
    Record(
        {"id": "s2", "Company": "Globex"},
        [
            Call("2026-01-06T14:05:00.000", "Busy", "B", gid="g-s2-1"),
            Call("2026-01-06T15:05:00.000", "Callback", "CB", "ann", 45),
        ],
    ),
]


def changed_raw(record: Record) -> dict[str, Any]:
    """The getChanged item of a record."""
    return {
        "entry": record.entry,
        "completed": record.completed_at is not None,
        "recordDisposition": record.disposition,
        "recordDispositionCode": record.code,
        "totalAttempts": len(record.calls),
        "attempts": [
            {
                "call_attempted": True,
                "disposition": call.disposition,
                "dispositionCode": call.code,
                "date": call.date,
                "phone": record.entry.get("phone", "555-9999"),
                "callDuration": call.duration,
                "dialingDuration": 4,
                "callNotes": "",
                "agent": call.agent,
                "globalInteractionID": call.gid,
                "CPADuration": 1,
            }
            for call in record.calls
        ],
    }


def completed_raw(record: Record) -> dict[str, Any]:
    """The getCompleted item of a completed record."""
    last = record.calls[-1]
    return {
        "completedTime": record.completed_at,
        "entry": record.entry,
        "status": {
            "completed": True,
            "globalInteractionID": last.gid,
            "lastCallDuration": last.duration,
            "lastDisposition": last.disposition,
            "totalAttempts": len(record.calls),
            "lastAgent": last.agent,
            "lastPhone": record.entry.get("phone", "555-9999"),
            "lastDate": last.date,
        },
    }


def store_records(
    engine: Engine, campaign: str, list_name: str, records: list[Record]
) -> None:
    """Writes records and their attempts as a harvest of both streams would."""
    with engine.begin() as conn:
        target = stream_target(conn, campaign, list_name)
        changed = [parse_changed_record(changed_raw(r)) for r in records]
        writes.store_changed_page(conn, target, changed, HARVESTED_AT)
        completed = [
            parse_completed_record(completed_raw(r)) for r in records if r.completed_at
        ]
        writes.store_completed_page(conn, target, completed, HARVESTED_AT)


def stream_target(conn: Any, campaign: str, list_name: str) -> writes.StreamTarget:
    """The target of a campaign and list already in the catalog."""
    campaign_id = conn.execute(
        select(CampaignRow.id).where(CampaignRow.name == campaign)
    ).scalar_one()
    list_id = conn.execute(
        select(CallingListRow.id).where(CallingListRow.name == list_name)
    ).scalar_one()
    return writes.StreamTarget(
        campaign_id=campaign_id,
        list_id=list_id,
        campaign_name=campaign,
        list_name=list_name,
        key_fields=("id",),
    )


def fill_sample(engine: Engine) -> None:
    """Fills an upgraded, empty warehouse with the sample campaigns."""
    with engine.begin() as conn:
        catalog.sync_catalog(
            conn, [SALES, RETENTION, OLD], DISCOVERED_AT, is_complete=True
        )
        catalog.sync_catalog(conn, [SALES, RETENTION], HARVESTED_AT, is_complete=True)
    store_records(engine, "Sales", "list.csv", SALES_LIST)
    store_records(engine, "Sales", "Shared List", SALES_SHARED)
    store_records(engine, "Retention", "Shared List", RETENTION_SHARED)
    with engine.begin() as conn:
        ids = catalog.sync_catalog(
            conn, [SALES, RETENTION], HARVESTED_AT, is_complete=True
        )
        sales, listed = ids.campaigns["Sales"], ids.lists["list.csv"]
        state.write_watermark(
            conn,
            (sales, listed, "changed"),
            datetime(2026, 1, 6, 10, 15),
            HARVESTED_AT,
            is_success=True,
        )
        state.record_stream_error(
            conn,
            (sales, listed, "completed"),
            "HTTP 503 from getCompleted",
            HARVESTED_AT,
        )


def add_campaign_list(
    engine: Engine, campaign: str, list_name: str, records: list[Record]
) -> None:
    """Adds a campaign dialing one list, with records, to a filled warehouse."""
    with engine.begin() as conn:
        catalog.sync_catalog(
            conn,
            [Campaign(campaign, "RUNNING", (list_name,))],
            HARVESTED_AT,
            is_complete=False,
        )
    store_records(engine, campaign, list_name, records)


def one_call_record(key: str, **fields: Any) -> Record:
    """A record with the given entry fields and a single unanswered call."""
    return Record(
        {"id": key, **fields},
        [Call("2026-01-07T12:00:00.000", "No Answer", "NA", gid=f"g-{key}")],
    )
