"""Compares a warehouse with the simulator's ground truth, field by field."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from harvester.api.models import CallAttempt
from harvester.simulator import GroundTruth
from harvester.warehouse.flatten import attempt_key
from harvester.warehouse.models import (
    CallAttemptRow,
    CallingListRow,
    CampaignRow,
    ListRecordRow,
    RecordResultRow,
)

RESULT_FIELDS = (
    "completed",
    "completed_at",
    "record_disposition",
    "record_disposition_code",
    "total_attempts",
    "last_attempt_at",
    "last_disposition",
    "last_agent",
    "last_phone",
    "last_call_duration",
    "global_interaction_id",
)
ATTEMPT_FIELDS = (
    "campaign",
    "list_name",
    "record_key",
    "global_interaction_id",
    "date",
    "phone",
    "agent",
    "disposition",
    "disposition_code",
    "call_attempted",
    "call_duration",
    "dialing_duration",
    "cpa_duration",
    "call_notes",
)


def _utc(value: Any) -> Any:
    if not isinstance(value, datetime) or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


@dataclass
class Differences:
    """What a warehouse lacks, doubles or holds differently from the truth."""

    missing: list[Any] = field(default_factory=list)
    extra: list[Any] = field(default_factory=list)
    different: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.different)

    def describe(self) -> str:
        return (
            f"{len(self.missing)} missing, {len(self.extra)} extra, "
            f"{len(self.different)} different; first: "
            f"{(self.missing + self.extra + self.different)[:3]}"
        )


def _diff(truth: dict[Any, Any], stored: dict[Any, Any], out: Differences) -> None:
    out.missing += [key for key in truth if key not in stored]
    out.extra += [key for key in stored if key not in truth]
    out.different += [
        (key, truth[key], stored[key])
        for key in truth
        if key in stored and truth[key] != stored[key]
    ]


def truth_attempts(truth: GroundTruth) -> dict[str, tuple[Any, ...]]:
    """Ground-truth attempts by the warehouse's attempt key."""
    keyed = {}
    for item in truth.attempts:
        probe = CallAttempt(
            date=item.date,
            call_attempted=item.call_attempted,
            disposition=item.disposition,
            disposition_code=item.disposition_code,
            phone=item.phone,
            call_duration=item.call_duration,
            dialing_duration=item.dialing_duration,
            cpa_duration=item.cpa_duration,
            call_notes=item.call_notes,
            agent=item.agent,
            global_interaction_id=item.global_interaction_id,
        )
        key = attempt_key(probe, item.campaign, item.list_name, item.record_key)
        keyed[key] = tuple(_utc(getattr(item, name)) for name in ATTEMPT_FIELDS)
    return keyed


def stored_attempts(engine: Engine) -> dict[str, tuple[Any, ...]]:
    """Warehouse attempts by attempt key, in the truth's field order."""
    query = (
        select(CallAttemptRow, CampaignRow.name, CallingListRow.name)
        .join(CampaignRow, CampaignRow.id == CallAttemptRow.campaign_id)
        .join(CallingListRow, CallingListRow.id == CallAttemptRow.list_id)
    )
    stored: dict[str, tuple[Any, ...]] = {}
    with Session(engine) as session:
        for row, campaign, list_name in session.execute(query):
            values = {
                "campaign": campaign,
                "list_name": list_name,
                "date": _utc(row.attempt_at),
                **{name: getattr(row, name, None) for name in ATTEMPT_FIELDS},
            }
            values["campaign"], values["list_name"] = campaign, list_name
            values["date"] = _utc(row.attempt_at)
            if row.attempt_key in stored:
                raise AssertionError(f"attempt {row.attempt_key} stored twice")
            stored[row.attempt_key] = tuple(values[name] for name in ATTEMPT_FIELDS)
    return stored


def stored_results(engine: Engine) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """Warehouse results by (campaign, list, record_key), in the truth's order."""
    query = (
        select(RecordResultRow, CampaignRow.name, CallingListRow.name)
        .join(CampaignRow, CampaignRow.id == RecordResultRow.campaign_id)
        .join(CallingListRow, CallingListRow.id == RecordResultRow.list_id)
    )
    stored = {}
    with Session(engine) as session:
        for row, campaign, list_name in session.execute(query):
            values = {name: getattr(row, name, None) for name in RESULT_FIELDS}
            values["completed"] = row.is_completed
            values["completed_at"] = _utc(row.completed_at)
            values["last_attempt_at"] = _utc(row.last_attempt_at)
            key = (campaign, list_name, row.record_key)
            stored[key] = tuple(values[name] for name in RESULT_FIELDS)
    return stored


def stored_entries(engine: Engine) -> dict[tuple[str, str], dict[str, Any]]:
    """Warehouse entries by (list, record_key)."""
    query = select(
        CallingListRow.name, ListRecordRow.record_key, ListRecordRow.entry_json
    )
    query = query.join(CallingListRow, CallingListRow.id == ListRecordRow.list_id)
    with engine.connect() as conn:
        return {(n, k): json.loads(e) for n, k, e in conn.execute(query)}


def compare(
    engine: Engine, truth: GroundTruth, *, all_records: bool = False
) -> Differences:
    """Every difference between the warehouse and the truth.

    Args:
        all_records: compare every entry of every list (after a reconcile);
            otherwise only entries of records with activity.
    """
    out = Differences()
    _diff(truth_attempts(truth), stored_attempts(engine), out)
    truth_results = {
        key: tuple(_utc(getattr(value, name)) for name in RESULT_FIELDS)
        for key, value in truth.results.items()
    }
    _diff(truth_results, stored_results(engine), out)
    active = {(list_name, key) for _, list_name, key in truth.results}
    entries = {
        key: entry
        for key, entry in truth.records.items()
        if all_records or key in active
    }
    stored = stored_entries(engine)
    if not all_records:
        stored = {key: value for key, value in stored.items() if key in active}
    _diff(entries, stored, out)
    return out
