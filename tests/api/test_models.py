"""Tests of the API item parsers on the collection's examples and on bad items."""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest

from harvester.api.models import (
    CallAttempt,
    ChangedRecord,
    CompletedRecord,
    ItemError,
    ListRecord,
    RecordStatus,
    parse_attempt,
    parse_campaign,
    parse_changed_record,
    parse_completed_record,
    parse_entry,
    parse_list_record,
    parse_page,
    parse_status,
    parse_token,
)

# Saved examples of the List Management API v2.0 Postman collection, as the
# JSON text the server sends (reflowed to fit the line width).
GET_ALL_BODY: list[dict[str, Any]] = json.loads("""
[
 {"entry": {"firstname": "Graham", "phone": "16509999999", "id": "1",
            "lastname": "Smith", "status": "Gold"},
  "index": 0,
  "status": {"globalInteractionID": "0B767156-D012-4F63-A3E2-12ACFC2F26EA",
             "lastCallDuration": 0, "lastDisposition": "No disposition",
             "totalAttempts": 1, "completed": false, "lastAgent": "elizabeth",
             "lastPhone": "16509999999", "lastDate": "2021-02-19T19:11:40.000"}},
 {"entry": {"firstname": "Mike", "phone": "16507777777", "id": "2",
            "lastname": "Miller", "status": "Platinum"},
  "index": 1,
  "status": {"globalInteractionID": "3F4F2ACD-1233-42E3-8092-3A9F7D9D84BC",
             "lastCallDuration": 0, "lastDisposition": "Try again later",
             "totalAttempts": 1, "completed": false, "lastAgent": "elizabeth",
             "lastPhone": "16507777777", "lastDate": "2021-02-19T19:12:21.000"}},
 {"entry": {"firstname": "Katrina", "phone": "16505555555", "id": "3",
            "lastname": "Johnson", "status": "Silver"},
  "index": 2,
  "status": {"globalInteractionID": "9D914127-C1C4-4587-8B30-4E2A9790D184",
             "lastCallDuration": 0, "lastDisposition": "Product sold",
             "totalAttempts": 1, "completed": true, "lastAgent": "elizabeth",
             "lastPhone": "16505555555", "lastDate": "2021-02-19T19:12:37.000"}},
 {"entry": {"firstname": "Jenny", "phone": "16502222222", "id": "4",
            "lastname": "Green", "status": "Gold"},
  "index": 3,
  "status": {"globalInteractionID": "35DE77AC-5A37-4907-97CA-50B09B30ECDF",
             "lastCallDuration": 0, "lastDisposition": "Fast busy",
             "totalAttempts": 1, "completed": false, "lastAgent": "elizabeth",
             "lastPhone": "16502222222", "lastDate": "2021-02-19T19:13:08.000"}}
]
""")

GET_COMPLETED_BODY: list[dict[str, Any]] = json.loads("""
[
 {"completedTime": "2021-02-19T19:12:37.000",
  "entry": {"firstname": "Katrina", "phone": "16502222222", "id": "3",
            "lastname": "Johnson", "status": "Silver"},
  "status": {"globalInteractionID": "9D914127-C1C4-4587-8B30-4E2A9790D184",
             "lastCallDuration": 0, "lastDisposition": "Product sold",
             "totalAttempts": 1, "completed": true, "lastAgent": "elizabeth",
             "lastPhone": "16502222222", "lastDate": "2021-02-19T19:12:37.000"}}
]
""")

GET_CHANGED_BODY: list[dict[str, Any]] = json.loads("""
[
 {"entry": {"firstname": "Graham", "phone": "16509999999", "id": "1",
            "lastname": "Smith", "status": "Gold"},
  "completed": false, "recordDisposition": "", "recordDispositionCode": "",
  "totalAttempts": 1,
  "attempts": [
   {"call_attempted": false, "disposition": "No disposition",
    "dispositionCode": "", "date": "2021-02-19T19:11:40.000",
    "phone": "16509999999", "callDuration": 0, "dialingDuration": 0,
    "callNotes": "", "agent": "elizabeth",
    "globalInteractionID": "0B767156-D012-4F63-A3E2-12ACFC2F26EA",
    "CPADuration": 0}]},
 {"entry": {"firstname": "Mike", "phone": "16507777777", "id": "2",
            "lastname": "Miller", "status": "Platinum"},
  "completed": false, "recordDisposition": "", "recordDispositionCode": "",
  "totalAttempts": 1,
  "attempts": [
   {"call_attempted": false, "disposition": "Try again later",
    "dispositionCode": "", "date": "2021-02-19T19:12:21.000",
    "phone": "16507777777", "callDuration": 0, "dialingDuration": 0,
    "callNotes": "", "agent": "elizabeth",
    "globalInteractionID": "3F4F2ACD-1233-42E3-8092-3A9F7D9D84BC",
    "CPADuration": 0}]},
 {"entry": {"firstname": "Katrina", "phone": "16505555555", "id": "3",
            "lastname": "Johnson", "status": "Silver"},
  "completed": true, "recordDisposition": "Product sold",
  "recordDispositionCode": "", "totalAttempts": 1,
  "attempts": [
   {"call_attempted": false, "disposition": "Product sold",
    "dispositionCode": "", "date": "2021-02-19T19:12:37.000",
    "phone": "16505555555", "callDuration": 0, "dialingDuration": 0,
    "callNotes": "", "agent": "elizabeth",
    "globalInteractionID": "9D914127-C1C4-4587-8B30-4E2A9790D184",
    "CPADuration": 0}]},
 {"entry": {"firstname": "Jenny", "phone": "16502222222", "id": "4",
            "lastname": "Green", "status": "Gold"},
  "completed": false, "recordDisposition": "", "recordDispositionCode": "",
  "totalAttempts": 1,
  "attempts": [
   {"call_attempted": false, "disposition": "Fast busy",
    "dispositionCode": "", "date": "2021-02-19T19:13:08.000",
    "phone": "16502222222", "callDuration": 0, "dialingDuration": 0,
    "callNotes": "", "agent": "elizabeth",
    "globalInteractionID": "35DE77AC-5A37-4907-97CA-50B09B30ECDF",
    "CPADuration": 0}]}
]
""")

GET_BODY: dict[str, Any] = json.loads("""
{"entry": {"firstname": "Mike", "phone": "16505555555", "id": "2",
           "lastname": "Miller", "status": "Platinum"},
 "status": {"globalInteractionID": "3F4F2ACD-1233-42E3-8092-3A9F7D9D84BC",
            "lastCallDuration": 0, "lastDisposition": "Try again later",
            "totalAttempts": 1, "completed": false, "lastAgent": "elizabeth",
            "lastPhone": "16505555555", "lastDate": "2021-02-19T19:12:21.000"}}
""")

CAMPAIGN_GET_ALL_BODY: list[dict[str, Any]] = json.loads("""
[{"name": "CupIQ Dynamics Preview", "state": "STOPPED",
  "lists": ["CupIQ Dynamics Preview.csv"]}]
""")

# The token example follows the API's documented shape: expires_in is a string.
TOKEN_BODY: dict[str, Any] = json.loads("""
{"access_token": "eyJhbGciOiJSUzI1NiJ9.secret-token-value",
 "token_type": "Bearer", "expires_in": "3600",
 "scope": "yourcompany.brightpattern.com"}
""")


def feb19(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2021, 2, 19, hour, minute, second, tzinfo=UTC)


def changed_copy(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the first getChanged example, with id 8 and changes."""
    item = copy.deepcopy(GET_CHANGED_BODY[0])
    item["entry"]["id"] = "8"
    item.update(changes)
    return item


def test_parse_page_get_all_example_parses_every_item():
    page = parse_page(GET_ALL_BODY, parse_list_record, requested=100)

    assert page.rejected == []
    assert (page.received, page.requested) == (4, 100)
    assert [record.index for record in page.items] == [0, 1, 2, 3]
    assert [record.entry["id"] for record in page.items] == ["1", "2", "3", "4"]
    assert [record.status.completed for record in page.items] == [
        False,
        False,
        True,
        False,
    ]


def test_parse_list_record_get_all_item_reads_status():
    record = parse_list_record(GET_ALL_BODY[2])

    assert record == ListRecord(
        entry={
            "firstname": "Katrina",
            "phone": "16505555555",
            "id": "3",
            "lastname": "Johnson",
            "status": "Silver",
        },
        status=RecordStatus(
            completed=True,
            global_interaction_id="9D914127-C1C4-4587-8B30-4E2A9790D184",
            last_call_duration=0,
            last_disposition="Product sold",
            total_attempts=1,
            last_agent="elizabeth",
            last_phone="16505555555",
            last_date=feb19(19, 12, 37),
        ),
        index=2,
        raw=GET_ALL_BODY[2],
    )
    assert record.raw is GET_ALL_BODY[2]


def test_parse_completed_record_example_reads_completed_time():
    page = parse_page(GET_COMPLETED_BODY, parse_completed_record, requested=100)

    assert page.rejected == []
    (record,) = page.items
    assert isinstance(record, CompletedRecord)
    assert record.completed_time == feb19(19, 12, 37)
    assert record.completed_time.tzinfo == UTC
    assert record.entry["firstname"] == "Katrina"
    assert record.status.completed is True
    assert record.status.last_disposition == "Product sold"


def test_parse_changed_record_example_reads_attempts():
    page = parse_page(GET_CHANGED_BODY, parse_changed_record, requested=100)

    assert page.rejected == []
    assert [item.entry["id"] for item in page.items] == ["1", "2", "3", "4"]
    katrina = page.items[2]
    assert isinstance(katrina, ChangedRecord)
    assert katrina.completed is True
    assert katrina.record_disposition == "Product sold"
    assert katrina.total_attempts == 1
    assert katrina.attempts == (
        CallAttempt(
            date=feb19(19, 12, 37),
            call_attempted=False,
            disposition="Product sold",
            disposition_code="",
            phone="16505555555",
            call_duration=0,
            dialing_duration=0,
            cpa_duration=0,
            call_notes="",
            agent="elizabeth",
            global_interaction_id="9D914127-C1C4-4587-8B30-4E2A9790D184",
        ),
    )
    assert katrina.activity_time == feb19(19, 12, 37)


def test_changed_record_activity_time_is_latest_attempt():
    first = GET_CHANGED_BODY[0]["attempts"][0]
    later = dict(first, date="2021-02-19T20:30:00.000", CPADuration=3)
    raw = changed_copy(attempts=[later, first], totalAttempts=2)

    record = parse_changed_record(raw)

    assert record.activity_time == feb19(20, 30)
    assert record.attempts[0].cpa_duration == 3
    assert record.total_attempts == 2


def test_changed_record_activity_time_no_attempts_is_none():
    raw = changed_copy(attempts=[])
    raw.pop("totalAttempts")

    record = parse_changed_record(raw)

    assert record.activity_time is None
    assert record.total_attempts == 0


def test_parse_list_record_get_example_has_no_index():
    record = parse_list_record(GET_BODY)

    assert record.index is None
    assert record.entry["id"] == "2"
    assert record.status.last_date == feb19(19, 12, 21)
    assert record.status.global_interaction_id == "3F4F2ACD-1233-42E3-8092-3A9F7D9D84BC"


def test_parse_campaign_example_reads_lists():
    page = parse_page(CAMPAIGN_GET_ALL_BODY, parse_campaign, requested=0)

    (campaign,) = page.items
    assert campaign.name == "CupIQ Dynamics Preview"
    assert campaign.state == "STOPPED"
    assert campaign.lists == ("CupIQ Dynamics Preview.csv",)


def test_parse_token_string_expires_in_gives_int():
    token = parse_token(TOKEN_BODY)

    assert token.expires_in == 3600
    assert token.token_type == "Bearer"
    assert token.scope == "yourcompany.brightpattern.com"
    assert token.access_token == TOKEN_BODY["access_token"]


def test_token_repr_hides_access_token():
    token = parse_token(TOKEN_BODY)

    assert "secret-token-value" not in repr(token)
    assert "secret-token-value" not in str(token)
    assert "3600" in repr(token)


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"token_type": "Bearer", "expires_in": "3600"}, "'access_token'"),
        ({"access_token": "", "expires_in": "3600"}, "'access_token' is empty"),
        ({"access_token": "abcd", "expires_in": "soon"}, "'expires_in'"),
        ("not an object", "token response is str"),
    ],
)
def test_parse_token_bad_body_raises(body, match):
    with pytest.raises(ItemError, match=match):
        parse_token(body)


def test_parse_token_minimal_body_uses_defaults():
    token = parse_token({"access_token": "abcd"})

    assert (token.token_type, token.expires_in, token.scope) == ("Bearer", 3600, "")


def test_parse_status_never_called_has_only_completed():
    status = parse_status({"completed": False})

    assert status == RecordStatus(completed=False)
    assert status.total_attempts is None
    assert status.last_date is None
    assert status.global_interaction_id is None


def test_parse_list_record_never_called_status_parses():
    raw = {
        "entry": {"id": "9", "phone": "1"},
        "index": 8,
        "status": {"completed": False},
    }

    record = parse_list_record(raw)

    assert record.status == RecordStatus(completed=False)
    assert record.index == 8


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"id": "1", "extra": {"a": 1}}, "entry field 'extra' is nested"),
        ({"id": "1", "tags": ["a"]}, "entry field 'tags' is nested"),
        ({"id": "1", "score": math.nan}, "entry field 'score' is nan"),
        ({"id": "1", "score": math.inf}, "entry field 'score' is inf"),
        ({"": "1"}, "empty or non-string field name"),
        (["id", "1"], "entry is list, not an object"),
        (None, "entry is NoneType, not an object"),
    ],
)
def test_parse_entry_bad_entry_raises(entry, match):
    with pytest.raises(ItemError, match=match):
        parse_entry(entry)


def test_parse_entry_scalars_kept_as_sent():
    entry = {"ID": "1", "Age": 42, "Score": 2.5, "Vip": True, "Note": None}

    assert parse_entry(entry) == entry


def bad_attempt(**changes: Any) -> dict[str, Any]:
    item = changed_copy()
    item["attempts"][0].update(changes)
    return item


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (
            {k: v for k, v in GET_CHANGED_BODY[0].items() if k != "entry"},
            "entry is NoneType, not an object",
        ),
        (changed_copy(entry=None), "entry is NoneType"),
        (changed_copy(entry={"id": "8", "nested": {"x": 1}}), "'nested' is nested"),
        (changed_copy(entry={"id": "8", "amount": math.inf}), "'amount' is inf"),
        (changed_copy(attempts={"date": "2021-02-19"}), "'attempts' is not a list"),
        (bad_attempt(date="yesterday"), "attempt 0: field 'date' is 'yesterday'"),
        (bad_attempt(date=None), "attempt 0: field 'date' is None"),
        (bad_attempt(callDuration="long"), "attempt 0: field 'callDuration'"),
        (bad_attempt(callDuration=1.5), "attempt 0: field 'callDuration'"),
        (bad_attempt(phone=16505555555), "attempt 0: field 'phone' is int"),
        (bad_attempt(call_attempted="yes"), "attempt 0: field 'call_attempted'"),
        (changed_copy(attempts=["not an object"]), "attempt 0: attempt is str"),
        (changed_copy(completed="false"), "field 'completed' is 'false'"),
        (changed_copy(completed=None), "field 'completed' is None"),
        (changed_copy(totalAttempts=True), "field 'totalAttempts' is missing"),
        (changed_copy(totalAttempts="--1"), "field 'totalAttempts'"),
        (changed_copy(totalAttempts="\u00b2"), "field 'totalAttempts'"),
        (changed_copy(recordDisposition=7), "field 'recordDisposition' is int"),
        (["a", "list"], "record is list, not an object"),
        (None, "record is NoneType, not an object"),
    ],
)
def test_parse_page_bad_changed_item_rejected_with_reason(bad, reason):
    good_before, good_after = GET_CHANGED_BODY[0], GET_CHANGED_BODY[1]

    page = parse_page([good_before, bad, good_after], parse_changed_record, requested=3)

    assert [item.entry["id"] for item in page.items] == ["1", "2"]
    assert len(page.rejected) == 1
    assert page.rejected[0].position == 1
    assert reason in page.rejected[0].reason
    assert page.rejected[0].raw is bad
    assert page.received == 3


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (dict(GET_ALL_BODY[0], status=None), "status is NoneType"),
        (dict(GET_ALL_BODY[0], status={"totalAttempts": 1}), "field 'completed'"),
        (
            dict(GET_ALL_BODY[0], status={"completed": True, "lastDate": "soon"}),
            "field 'lastDate' is 'soon'",
        ),
        (
            dict(GET_ALL_BODY[0], status={"completed": True, "lastCallDuration": "x"}),
            "field 'lastCallDuration'",
        ),
        (
            dict(GET_ALL_BODY[0], status={"completed": True, "lastAgent": 5}),
            "field 'lastAgent' is int",
        ),
        (dict(GET_ALL_BODY[0], index="first"), "field 'index'"),
        (dict(GET_ALL_BODY[0], entry="id=1"), "entry is str"),
    ],
)
def test_parse_page_bad_list_record_rejected_with_reason(bad, reason):
    page = parse_page([bad, GET_ALL_BODY[1]], parse_list_record, requested=2)

    assert [record.entry["id"] for record in page.items] == ["2"]
    assert [(item.position, reason in item.reason) for item in page.rejected] == [
        (0, True)
    ]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (dict(GET_COMPLETED_BODY[0], completedTime=None), "'completedTime' is None"),
        (dict(GET_COMPLETED_BODY[0], completedTime="2021-02-31"), "'completedTime'"),
        (dict(GET_COMPLETED_BODY[0], completedTime=1613762357), "'completedTime'"),
    ],
)
def test_parse_page_bad_completed_time_rejected(bad, reason):
    page = parse_page([bad], parse_completed_record, requested=1)

    assert page.items == []
    assert reason in page.rejected[0].reason


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"name": "", "lists": []}, "field 'name' is empty"),
        ({"state": "RUNNING", "lists": []}, "field 'name' is NoneType"),
        ({"name": "C", "lists": "a.csv"}, "field 'lists' is not a list"),
        ({"name": "C", "lists": ["a.csv", 3]}, "field 'lists' is not a list"),
        ({"name": "C", "lists": [""]}, "field 'lists' is not a list"),
    ],
)
def test_parse_page_bad_campaign_rejected_with_reason(bad, reason):
    page = parse_page([bad, *CAMPAIGN_GET_ALL_BODY], parse_campaign, requested=0)

    assert [campaign.name for campaign in page.items] == ["CupIQ Dynamics Preview"]
    assert reason in page.rejected[0].reason


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"entry": {}}, "response is dict, not an array"),
        ("[]", "response is str, not an array"),
        (None, "response is NoneType, not an array"),
        (42, "response is int, not an array"),
    ],
)
def test_parse_page_body_not_array_raises(body, match):
    with pytest.raises(ItemError, match=match):
        parse_page(body, parse_list_record, requested=10)


def test_parse_page_empty_array_gives_empty_page():
    server_time = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

    page = parse_page([], parse_changed_record, requested=1000, server_time=server_time)

    assert (page.items, page.rejected) == ([], [])
    assert (page.requested, page.received) == (1000, 0)
    assert page.server_time == server_time


@pytest.mark.parametrize(
    ("changes", "field_name", "expected"),
    [
        ({"globalInteractionID": ""}, "global_interaction_id", None),
        ({"globalInteractionID": None}, "global_interaction_id", None),
        ({"callDuration": 12.0}, "call_duration", 12),
        ({"callDuration": "12"}, "call_duration", 12),
        ({"callNotes": None}, "call_notes", ""),
        ({"call_attempted": True}, "call_attempted", True),
    ],
)
def test_parse_attempt_lenient_field_normalized(changes, field_name, expected):
    raw = dict(GET_CHANGED_BODY[0]["attempts"][0], **changes)

    assert getattr(parse_attempt(raw), field_name) == expected


def test_parse_attempt_missing_optional_fields_use_defaults():
    attempt = parse_attempt({"date": "2021-02-19T19:11:40.000+0400"})

    assert attempt.date == feb19(15, 11, 40)
    assert (attempt.phone, attempt.agent, attempt.call_duration) == ("", "", 0)
    assert attempt.global_interaction_id is None
    assert attempt.call_attempted is False
