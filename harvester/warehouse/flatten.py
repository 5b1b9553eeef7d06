"""Turns API items into warehouse rows: pure functions, shared by harvest and rebuild.

Every function here is deterministic and touches no database, so that the
same code flattens an item when it is harvested and when ``harvester
rebuild`` replays the raw JSON kept beside the rows.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, overload

from harvester.api.models import (
    CallAttempt,
    ChangedRecord,
    CompletedRecord,
    Entry,
    ItemError,
    JsonScalar,
    RecordStatus,
    check_storable_text,
)

KEY_SEPARATOR = "|"


@overload
def to_naive_utc(value: datetime) -> datetime: ...


@overload
def to_naive_utc(value: None) -> None: ...


def to_naive_utc(value: datetime | None) -> datetime | None:
    """The naive UTC form the warehouse stores times in."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


# One encoder for every dump: json.dumps builds a new one per call when given
# options, which cost a third of the time of dumping an attempt.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def dump_json(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, non-ASCII kept as is."""
    return _CANONICAL.encode(value)


def field_text(value: JsonScalar) -> str | None:
    """The text a field value is stored as in record_fields."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and math.isfinite(value):
        return str(int(value))
    return str(value)


def _check_storable(text: str, what: str) -> None:
    # PostgreSQL text cannot hold NUL, and no database takes a lone surrogate;
    # refusing both on every database keeps the warehouses alike.
    check_storable_text(text, what)


def normalize_entry(entry: Entry) -> Entry:
    """The entry with lowercase field names, as the warehouse keeps it.

    Raises:
        ItemError: two field names differ only in case, or a name or value
            holds a NUL character.
    """
    normalized: Entry = {}
    for name, value in entry.items():
        lowered = name.lower()
        if lowered in normalized:
            raise ItemError(f"entry has two fields named {lowered!r} up to case")
        _check_storable(name, f"field name {name!r}")
        if isinstance(value, str):
            _check_storable(value, f"field {lowered!r}")
        normalized[lowered] = value
    return normalized


def record_key_of(entry: Entry, key_fields: Iterable[str]) -> str:
    """The record_key: the key values, joined by '|' in configured order.

    Args:
        entry: an entry with lowercase field names.
        key_fields: the list's key fields, lowercase.

    Raises:
        ItemError: a key field is missing or empty.
    """
    parts = []
    for name in key_fields:
        text = field_text(entry.get(name))
        if text is None or text == "":
            raise ItemError(f"record has no value for key field {name!r}")
        parts.append(text)
    return KEY_SEPARATOR.join(parts)


def attempt_key(
    attempt: CallAttempt, campaign: str, list_name: str, record_key: str
) -> str:
    """The natural key of an attempt: its interaction id, else a digest.

    The digest covers what tells two attempts of one record apart when the
    API gives no globalInteractionID: campaign, list, record, date and phone.
    """
    if attempt.global_interaction_id:
        return f"gid:{attempt.global_interaction_id}"
    parts = (campaign, list_name, record_key, attempt.date.isoformat(), attempt.phone)
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"nk:{digest[:32]}"


def field_rows(list_id: int, record_key: str, entry: Entry) -> list[dict[str, Any]]:
    """One record_fields row per field of a normalized entry."""
    return [
        {
            "list_id": list_id,
            "record_key": record_key,
            "field_name": name,
            "field_value": field_text(value),
        }
        for name, value in entry.items()
    ]


def attempt_row(
    attempt: CallAttempt, ids: Mapping[str, Any], names: tuple[str, str], now: datetime
) -> dict[str, Any]:
    """The call_attempts row of one attempt.

    Args:
        attempt: the parsed attempt.
        ids: campaign_id, list_id and record_key of the record.
        names: the campaign and list names, for the natural key.
        now: the harvest time, naive UTC.
    """
    campaign, list_name = names
    return {
        "attempt_key": attempt_key(attempt, campaign, list_name, ids["record_key"]),
        "global_interaction_id": attempt.global_interaction_id,
        "campaign_id": ids["campaign_id"],
        "list_id": ids["list_id"],
        "record_key": ids["record_key"],
        "attempt_at": to_naive_utc(attempt.date),
        "phone": attempt.phone,
        "agent": attempt.agent,
        "disposition": attempt.disposition,
        "disposition_code": attempt.disposition_code,
        "call_attempted": attempt.call_attempted,
        "call_duration": attempt.call_duration,
        "dialing_duration": attempt.dialing_duration,
        "cpa_duration": attempt.cpa_duration,
        "call_notes": attempt.call_notes,
        "raw_json": dump_json(_attempt_raw(attempt)),
        "harvested_at": now,
        "updated_at": now,
    }


def _attempt_raw(attempt: CallAttempt) -> dict[str, Any]:
    # The attempt as the API spelled it, rebuilt from the parsed fields so the
    # stored JSON never holds more than one attempt.
    return {
        "call_attempted": attempt.call_attempted,
        "disposition": attempt.disposition,
        "dispositionCode": attempt.disposition_code,
        "date": attempt.date.astimezone(UTC).isoformat(timespec="milliseconds"),
        "phone": attempt.phone,
        "callDuration": attempt.call_duration,
        "dialingDuration": attempt.dialing_duration,
        "callNotes": attempt.call_notes,
        "agent": attempt.agent,
        "globalInteractionID": attempt.global_interaction_id,
        "CPADuration": attempt.cpa_duration,
    }


def changed_result_row(item: ChangedRecord, ids: Mapping[str, Any]) -> dict[str, Any]:
    """The record_results columns a getChanged item describes."""
    last = max(item.attempts, key=lambda a: a.date, default=None)
    return {
        **ids,
        "is_completed": item.completed,
        "record_disposition": item.record_disposition,
        "record_disposition_code": item.record_disposition_code,
        "total_attempts": item.total_attempts,
        "last_attempt_at": to_naive_utc(last.date) if last else None,
        "last_disposition": last.disposition if last else None,
        "last_agent": last.agent if last else None,
        "last_phone": last.phone if last else None,
        "last_call_duration": last.call_duration if last else None,
        "global_interaction_id": last.global_interaction_id if last else None,
        "changed_json": dump_json(item.raw),
    }


def status_columns(status: RecordStatus) -> dict[str, Any]:
    """The record_results columns a ``status`` object describes."""
    return {
        "is_completed": status.completed,
        "total_attempts": status.total_attempts,
        "last_attempt_at": to_naive_utc(status.last_date),
        "last_disposition": status.last_disposition,
        "last_agent": status.last_agent,
        "last_phone": status.last_phone,
        "last_call_duration": status.last_call_duration,
        "global_interaction_id": status.global_interaction_id,
    }


def completed_result_row(
    item: CompletedRecord, ids: Mapping[str, Any]
) -> dict[str, Any]:
    """The record_results columns a getCompleted item describes."""
    return {
        **ids,
        **status_columns(item.status),
        "is_completed": True,
        "completed_at": to_naive_utc(item.completed_time),
        "completed_json": dump_json(item.raw),
    }


def attempt_from_status(status: RecordStatus) -> CallAttempt:
    """The last attempt as far as a getAll status describes it.

    A status carries no disposition code, dialing or CPA time, nor notes;
    those stay empty. A call counts as attempted when it lasted.
    """
    if status.last_date is None:
        raise ItemError("status has no lastDate, so it describes no attempt")
    return CallAttempt(
        date=status.last_date,
        call_attempted=bool(status.last_call_duration),
        disposition=status.last_disposition or "",
        disposition_code="",
        phone=status.last_phone or "",
        call_duration=status.last_call_duration or 0,
        dialing_duration=0,
        cpa_duration=0,
        call_notes="",
        agent=status.last_agent or "",
        global_interaction_id=status.global_interaction_id,
    )


def has_activity(status: RecordStatus) -> bool:
    """Whether a status describes a record that was called at least once."""
    return bool(status.total_attempts) or status.last_date is not None
