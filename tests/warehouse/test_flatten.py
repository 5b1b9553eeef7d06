"""Tests of the pure functions that turn API items into warehouse rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from harvester.api.models import (
    CallAttempt,
    ChangedRecord,
    CompletedRecord,
    ItemError,
    RecordStatus,
)
from harvester.warehouse.flatten import (
    attempt_key,
    changed_result_row,
    completed_result_row,
    field_text,
    normalize_entry,
    record_key_of,
    to_naive_utc,
)

IDS = {"campaign_id": 3, "list_id": 5, "record_key": "42"}


def make_attempt(
    date: datetime,
    *,
    phone: str = "16505555555",
    gid: str | None = None,
    disposition: str = "Busy",
    agent: str = "elizabeth",
    duration: int = 0,
) -> CallAttempt:
    return CallAttempt(
        date=date,
        call_attempted=True,
        disposition=disposition,
        disposition_code="",
        phone=phone,
        call_duration=duration,
        dialing_duration=4,
        cpa_duration=0,
        call_notes="",
        agent=agent,
        global_interaction_id=gid,
    )


def make_changed(attempts: tuple[CallAttempt, ...], **raw: Any) -> ChangedRecord:
    return ChangedRecord(
        entry={"id": "42"},
        completed=False,
        record_disposition="",
        record_disposition_code="",
        total_attempts=len(attempts),
        attempts=attempts,
        raw=raw or {"entry": {"id": "42"}},
    )


def utc(hour: int, minute: int = 0) -> datetime:
    return datetime(2021, 2, 19, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"ID": "1", "firstName": "Ann", "Phone": "1650"},
            {"id": "1", "firstname": "Ann", "phone": "1650"},
        ),
        ({"id": "1", "Age": 30, "VIP": True}, {"id": "1", "age": 30, "vip": True}),
        ({"ÉTAT": "Gold"}, {"état": "Gold"}),
        ({}, {}),
    ],
)
def test_normalize_entry_mixed_case_names_lowercased(entry, expected):
    assert normalize_entry(entry) == expected


def test_normalize_entry_values_unchanged():
    entry = {"Name": "MiXeD Case", "Note": None, "Score": 2.5}

    assert list(normalize_entry(entry).values()) == ["MiXeD Case", None, 2.5]


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"ID": "1", "id": "2"}, "two fields named 'id' up to case"),
        ({"Phone": "1", "PHONE": "1"}, "two fields named 'phone' up to case"),
        ({"id": "1", "no\x00te": "x"}, "contains a NUL character"),
        ({"id": "1", "note": "a\x00b"}, "field 'note' contains a NUL character"),
    ],
)
def test_normalize_entry_bad_entry_raises(entry, match):
    with pytest.raises(ItemError, match=match):
        normalize_entry(entry)


@pytest.mark.parametrize(
    ("entry", "key_fields", "expected"),
    [
        ({"id": "1", "phone": "1650"}, ("id",), "1"),
        ({"id": 7, "phone": "1650"}, ("id",), "7"),
        ({"id": 7.0}, ("id",), "7"),
        ({"id": "1", "phone": "1650"}, ("id", "phone"), "1|1650"),
        ({"id": "1", "phone": "1650"}, ("phone", "id"), "1650|1"),
        ({"a": "x", "b": "y", "c": "z"}, ["c", "a", "b"], "z|x|y"),
        ({"id": "0"}, ("id",), "0"),
        ({"id": 0}, ("id",), "0"),
        ({"id": False}, ("id",), "false"),
    ],
)
def test_record_key_of_key_fields_joined_in_order(entry, key_fields, expected):
    assert record_key_of(entry, key_fields) == expected


@pytest.mark.parametrize(
    ("entry", "key_fields", "match"),
    [
        ({"phone": "1650"}, ("id",), "no value for key field 'id'"),
        ({"id": ""}, ("id",), "no value for key field 'id'"),
        ({"id": None}, ("id",), "no value for key field 'id'"),
        ({"id": "1", "phone": ""}, ("id", "phone"), "key field 'phone'"),
        ({"id": "1"}, ("id", "phone"), "key field 'phone'"),
        ({"ID": "1"}, ("id",), "no value for key field 'id'"),
    ],
)
def test_record_key_of_missing_key_raises(entry, key_fields, match):
    with pytest.raises(ItemError, match=match):
        record_key_of(entry, key_fields)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (42, "42"),
        (-3, "-3"),
        (2.5, "2.5"),
        (3.0, "3"),
        (-0.25, "-0.25"),
        (None, None),
        ("", ""),
        ("Gold", "Gold"),
        ("007", "007"),
    ],
)
def test_field_text_scalar_gives_stored_text(value, expected):
    assert field_text(value) == expected


def test_attempt_key_with_gid_uses_gid():
    attempt = make_attempt(utc(19), gid="0B767156-D012-4F63-A3E2-12ACFC2F26EA")

    key = attempt_key(attempt, "Outbound", "list.csv", "1")

    assert key == "gid:0B767156-D012-4F63-A3E2-12ACFC2F26EA"
    assert attempt_key(attempt, "Other", "other.csv", "2") == key


def test_attempt_key_no_gid_gives_stable_digest():
    attempt = make_attempt(utc(19, 12), phone="16505555555")

    key = attempt_key(attempt, "Outbound", "list.csv", "1")

    # Pinned: stored keys must not change between releases, or re-harvested
    # attempts without an interaction id would be doubled.
    assert key == "nk:fbebc8ac7841d753295193fb866eb74d"
    assert key == attempt_key(
        make_attempt(utc(19, 12), phone="16505555555", agent="other", duration=9),
        "Outbound",
        "list.csv",
        "1",
    )


@pytest.mark.parametrize(
    ("changed", "args"),
    [
        ({"phone": "16507777777"}, ("Outbound", "list.csv", "1")),
        ({"date": utc(19, 13)}, ("Outbound", "list.csv", "1")),
        ({}, ("Inbound", "list.csv", "1")),
        ({}, ("Outbound", "other.csv", "1")),
        ({}, ("Outbound", "list.csv", "2")),
    ],
)
def test_attempt_key_no_gid_differs_per_identity(changed, args):
    base = attempt_key(make_attempt(utc(19, 12)), "Outbound", "list.csv", "1")
    date = changed.get("date", utc(19, 12))
    phone = changed.get("phone", "16505555555")

    other = attempt_key(make_attempt(date, phone=phone), *args)

    assert other != base
    assert other.startswith("nk:")


def test_attempt_key_empty_gid_falls_back_to_digest():
    attempt = make_attempt(utc(19), gid="")

    assert attempt_key(attempt, "Outbound", "list.csv", "1").startswith("nk:")


def test_changed_result_row_out_of_order_picks_latest():
    attempts = (
        make_attempt(utc(19, 30), gid="B", disposition="Sold", agent="bob", phone="2"),
        make_attempt(utc(18, 0), gid="A", disposition="Busy", agent="amy", phone="1"),
        make_attempt(utc(19, 5), gid="C", disposition="Later", agent="cat", phone="3"),
    )

    row = changed_result_row(make_changed(attempts), IDS)

    assert row["last_attempt_at"] == datetime(2021, 2, 19, 19, 30)
    assert row["last_disposition"] == "Sold"
    assert row["last_agent"] == "bob"
    assert row["last_phone"] == "2"
    assert row["global_interaction_id"] == "B"
    assert row["total_attempts"] == 3


def test_changed_result_row_carries_ids_and_record_fields():
    item = ChangedRecord(
        entry={"id": "42"},
        completed=True,
        record_disposition="Product sold",
        record_disposition_code="PS",
        total_attempts=5,
        attempts=(make_attempt(utc(19), gid="A", duration=37),),
        raw={"entry": {"id": "42"}, "completed": True},
    )

    row = changed_result_row(item, IDS)

    assert {key: row[key] for key in IDS} == IDS
    assert row["is_completed"] is True
    assert row["record_disposition"] == "Product sold"
    assert row["record_disposition_code"] == "PS"
    assert row["total_attempts"] == 5
    assert row["last_call_duration"] == 37
    assert json.loads(row["changed_json"]) == {"entry": {"id": "42"}, "completed": True}


def test_changed_result_row_no_attempts_leaves_last_empty():
    row = changed_result_row(make_changed(()), IDS)

    assert row["last_attempt_at"] is None
    assert row["last_disposition"] is None
    assert row["global_interaction_id"] is None
    assert row["total_attempts"] == 0


def test_changed_result_row_offset_date_stored_naive_utc():
    plus_four = timezone(timedelta(hours=4))
    attempt = make_attempt(datetime(2021, 2, 19, 23, 12, 37, tzinfo=plus_four))

    row = changed_result_row(make_changed((attempt,)), IDS)

    assert row["last_attempt_at"] == datetime(2021, 2, 19, 19, 12, 37)
    assert row["last_attempt_at"].tzinfo is None


def test_completed_result_row_sets_completed_and_time():
    status = RecordStatus(
        completed=False,
        global_interaction_id="9D91",
        last_call_duration=12,
        last_disposition="Product sold",
        total_attempts=2,
        last_agent="elizabeth",
        last_phone="16502222222",
        last_date=utc(19, 12),
    )
    item = CompletedRecord(
        completed_time=datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC),
        entry={"id": "3"},
        status=status,
        raw={"completedTime": "2021-02-19T19:12:37.000"},
    )

    row = completed_result_row(item, IDS)

    assert row["is_completed"] is True
    assert row["completed_at"] == datetime(2021, 2, 19, 19, 12, 37)
    assert row["completed_at"].tzinfo is None
    assert row["last_attempt_at"] == datetime(2021, 2, 19, 19, 12)
    assert row["last_attempt_at"].tzinfo is None
    assert row["last_disposition"] == "Product sold"
    assert row["total_attempts"] == 2
    assert row["global_interaction_id"] == "9D91"
    assert {key: row[key] for key in IDS} == IDS
    assert json.loads(row["completed_json"]) == dict(item.raw)


def test_completed_result_row_bare_status_leaves_last_empty():
    item = CompletedRecord(
        completed_time=utc(20),
        entry={"id": "3"},
        status=RecordStatus(completed=True),
        raw={},
    )

    row = completed_result_row(item, IDS)

    assert row["completed_at"] == datetime(2021, 2, 19, 20, 0)
    assert row["last_attempt_at"] is None
    assert row["total_attempts"] is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (datetime(2021, 2, 19, 19, 12, 37), datetime(2021, 2, 19, 19, 12, 37)),
        (
            datetime(2021, 2, 19, 19, 12, 37, 5000, tzinfo=UTC),
            datetime(2021, 2, 19, 19, 12, 37, 5000),
        ),
        (
            datetime(2021, 2, 19, 2, 0, tzinfo=timezone(timedelta(hours=4))),
            datetime(2021, 2, 18, 22, 0),
        ),
        (
            datetime(2021, 2, 19, 20, 0, tzinfo=timezone(timedelta(hours=-7))),
            datetime(2021, 2, 20, 3, 0),
        ),
    ],
)
def test_to_naive_utc_any_value_gives_naive_utc(value, expected):
    result = to_naive_utc(value)

    assert result == expected
    assert result is None or result.tzinfo is None
