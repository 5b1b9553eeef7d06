"""Requests and typed results of every API method, against a stubbed tenant."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
import responses

from harvester.api.client import BpccClient
from harvester.api.models import (
    AddAllResult,
    Campaign,
    DncDeleteResult,
    ListRecord,
    RecordStatus,
)
from harvester.config import Settings
from harvester.errors import (
    ApiFatalError,
    ConfigurationError,
    ConflictError,
    MalformedResponseError,
    NotFoundError,
)
from tests.api.conftest import API, BASE_URL, SECRET, TOKEN_URL

AWKWARD_NAMES = [
    "list.csv",
    "Outbound Campaign",
    "a/b",
    "what?now",
    "hash#tag",
    "100%",
    "this&that",
    "Liste été 東京",
    "...",
]
DATE = "Thu, 19 Feb 2021 19:15:00 GMT"
RECORD = {
    "entry": {"firstname": "Mike", "id": "2"},
    "index": 1,
    "status": {
        "globalInteractionID": "3F4F2ACD",
        "lastCallDuration": 0,
        "lastDisposition": "Try again later",
        "totalAttempts": 1,
        "completed": False,
        "lastAgent": "elizabeth",
        "lastPhone": "16507777777",
        "lastDate": "2021-02-19T19:12:21.000",
    },
}
COMPLETED = {
    "completedTime": "2021-02-19T19:12:37.000",
    "entry": {"id": "3"},
    "status": {"completed": True},
}
ATTEMPT = {
    "call_attempted": True,
    "disposition": "Product sold",
    "dispositionCode": "",
    "date": "2021-02-19T19:12:37.000",
    "phone": "16505555555",
    "callDuration": 42,
    "dialingDuration": 3,
    "callNotes": "",
    "agent": "elizabeth",
    "globalInteractionID": "9D914127",
    "CPADuration": 1,
}
CHANGED = {
    "entry": {"id": "3"},
    "completed": True,
    "recordDisposition": "Product sold",
    "recordDispositionCode": "",
    "totalAttempts": 2,
    "attempts": [{**ATTEMPT, "date": "2021-02-19T19:10:00.000"}, ATTEMPT],
}


def sent_json(stub: responses.RequestsMock):
    return json.loads(stub.calls[-1].request.body or "null")


def test_get_all_records_sends_index_and_size_returns_page(stub, client):
    url = f"{API}/callinglist/getAll/list.csv/Outbound%20Campaign"
    stub.post(url, json=[RECORD], headers={"Date": DATE})

    page = client.get_all_records("list.csv", "Outbound Campaign", 5, 100)

    assert sent_json(stub) == {"fromIndex": 5, "maxSize": 100}
    assert page.items[0].entry == {"firstname": "Mike", "id": "2"}
    assert page.items[0].index == 1
    assert page.items[0].status.last_date == datetime(
        2021, 2, 19, 19, 12, 21, tzinfo=UTC
    )
    assert (page.requested, page.received, page.rejected) == (100, 1, [])
    assert page.server_time == datetime(2021, 2, 19, 19, 15, tzinfo=UTC)


@pytest.mark.parametrize("name", ["", ".", ".."])
def test_client_name_that_is_no_path_segment_raises_fatal(stub, client, name):
    with pytest.raises(ApiFatalError, match=rf"the name '{re.escape(name)}' cannot"):
        client.get_all_records(name, "camp")

    assert [c.request.url for c in stub.calls] == []


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_client_name_with_awkward_characters_is_one_path_segment(stub, client, name):
    segment = quote(name, safe="")
    stub.post(f"{API}/callinglist/get/{segment}/{segment}", json=RECORD)

    client.get_record(name, name, {"id": "2"})

    sent = stub.calls[-1].request.url
    assert sent == f"{API}/callinglist/get/{segment}/{segment}"
    assert "/" not in segment
    assert "?" not in sent
    assert "#" not in sent


def test_list_campaigns_gets_enabled_campaigns(stub, client):
    body = [{"name": "CupIQ", "state": "STOPPED", "lists": ["CupIQ.csv"]}]
    stub.get(f"{API}/campaign/getAll/", json=body)

    page = client.list_campaigns()

    assert page.items == [Campaign("CupIQ", "STOPPED", ("CupIQ.csv",))]
    assert stub.calls[-1].request.method == "GET"


def test_client_sends_bearer_token_from_token_request(stub, client):
    stub.get(f"{API}/campaign/getAll/", json=[])

    client.list_campaigns()
    client.list_campaigns()

    token_calls = [c for c in stub.calls if c.request.url == TOKEN_URL]
    assert len(token_calls) == 1
    form = dict(
        part.split("=", 1) for part in str(token_calls[0].request.body).split("&")
    )
    assert form == {
        "grant_type": "client_credentials",
        "client_id": "harvester",
        "client_secret": SECRET,
        "scope": "tenant.example.com",
    }
    assert stub.calls[-1].request.headers["Authorization"] == "Bearer token-1"


def test_add_record_posts_fields_returns_none(stub, client):
    stub.post(f"{API}/callinglist/add/list.csv", body="")

    assert client.add_record("list.csv", {"ID": "4", "firstName": "Post"}) is None
    assert sent_json(stub) == {"ID": "4", "firstName": "Post"}


def test_add_record_duplicate_key_raises_conflict(stub, client):
    stub.post(f"{API}/callinglist/add/list.csv", status=409, json={"error": "dup"})

    with pytest.raises(ConflictError, match=r"list 'list.csv' answered 409.*dup$"):
        client.add_record("list.csv", {"id": "4"})


def test_add_records_reports_added_and_errors(stub, client):
    body = {"added": 1, "errors": ["record 2: duplicate key", {"record": 3}]}
    stub.post(f"{API}/callinglist/addAll/list.csv", json=body)

    result = client.add_records("list.csv", [{"id": "1"}, {"id": "2"}, {"id": "3"}])

    assert result == AddAllResult(
        added=1, errors=("record 2: duplicate key", '{"record": 3}'), was_resent=False
    )
    assert sent_json(stub) == [{"id": "1"}, {"id": "2"}, {"id": "3"}]


def test_update_record_unknown_record_raises_not_found(stub, client):
    stub.post(f"{API}/callinglist/update/list.csv", status=404, body="")

    with pytest.raises(NotFoundError, match=r"^API method 'callinglist/update'"):
        client.update_record("list.csv", {"id": "99", "status": "Gold"})


def test_delete_all_records_posts_without_body(stub, client):
    stub.post(f"{API}/callinglist/deleteAll/list.csv", body="")

    client.delete_all_records("list.csv")

    assert stub.calls[-1].request.body is None


def test_get_completed_records_sends_api_time(stub, client):
    url = f"{API}/callinglist/getCompleted/list.csv/camp"
    stub.post(url, json=[COMPLETED])
    since = datetime(2021, 2, 1, 13, 15, 6, 456000, tzinfo=UTC)

    page = client.get_completed_records("list.csv", "camp", since, 50)

    assert sent_json(stub) == {"fromTime": "2021-02-01T13:15:06.456", "maxSize": 50}
    assert page.items[0].completed_time == datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)
    assert page.server_time is None


def test_get_completed_records_offset_time_is_converted_to_utc(stub, client):
    item = {**COMPLETED, "completedTime": "2021-02-19T23:12:37.000+0400"}
    stub.post(f"{API}/callinglist/getCompleted/l/c", json=[item])

    page = client.get_completed_records("l", "c", datetime(2021, 1, 1, tzinfo=UTC))

    assert page.items[0].completed_time == datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)


def test_get_changed_records_parses_attempts(stub, client):
    stub.post(f"{API}/callinglist/getChanged/l/c", json=[CHANGED])

    page = client.get_changed_records("l", "c", datetime(2021, 1, 1, tzinfo=UTC))

    record = page.items[0]
    assert [a.call_duration for a in record.attempts] == [42, 42]
    assert record.activity_time == datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)
    assert record.attempts[1].global_interaction_id == "9D914127"


def test_get_record_returns_list_record(stub, client):
    stub.post(
        f"{API}/callinglist/get/l/c", json={k: RECORD[k] for k in ("entry", "status")}
    )

    record = client.get_record("l", "c", {"id": "2"})

    assert isinstance(record, ListRecord)
    assert record.index is None
    assert record.status.last_agent == "elizabeth"
    assert sent_json(stub) == {"id": "2"}


def test_get_record_never_called_has_only_completed(stub, client):
    body = {"entry": {"id": "9"}, "status": {"completed": False}}
    stub.post(f"{API}/callinglist/get/l/c", json=body)

    assert client.get_record("l", "c", {"id": "9"}).status == RecordStatus(False)


def test_get_all_records_bad_items_are_rejected_not_raised(stub, client):
    bad = {"entry": {"id": "7"}, "index": 2, "status": {"completed": "yes"}}
    stub.post(f"{API}/callinglist/getAll/l/c", json=[RECORD, bad, 17])

    page = client.get_all_records("l", "c")

    assert len(page.items) == 1
    assert [r.position for r in page.rejected] == [1, 2]
    assert "completed" in page.rejected[0].reason
    assert page.received == 3


@pytest.mark.parametrize("body", [{"error": "nope"}, "text", 3])
def test_get_all_records_body_not_array_raises_malformed(stub, client, body):
    stub.post(f"{API}/callinglist/getAll/l/c", json=body)

    with pytest.raises(MalformedResponseError, match=r"not an array"):
        client.get_all_records("l", "c")


def test_get_all_records_empty_body_raises_malformed(stub, client):
    stub.post(f"{API}/callinglist/getAll/l/c", body="")

    with pytest.raises(MalformedResponseError, match=r"empty body; JSON was expected"):
        client.get_all_records("l", "c")

    assert len(stub.calls) == 2


def test_get_record_body_without_status_raises_malformed(stub, client):
    stub.post(f"{API}/callinglist/get/l/c", json={"entry": {"id": "1"}})

    with pytest.raises(MalformedResponseError, match=r"callinglist/get.*status"):
        client.get_record("l", "c", {"id": "1"})


@pytest.mark.parametrize(("max_size", "from_index"), [(0, 0), (10, -1)])
def test_get_all_records_bad_arguments_raise_value_error(client, max_size, from_index):
    with pytest.raises(ValueError, match=r"must be at least"):
        client.get_all_records("l", "c", from_index, max_size)


def test_add_dnc_records_sends_rows_returns_added(stub, client):
    stub.post(f"{API}/donotcalllist/add/DNC%20List", json={"added": 2})

    added = client.add_dnc_records("DNC List", ["123456789", ("999", "comment")])

    assert added == 2
    assert sent_json(stub) == [["123456789", ""], ["999", "comment"]]


def test_replace_dnc_records_returns_added(stub, client):
    stub.post(f"{API}/donotcalllist/replaceAll/DNC", json={"added": "1"})

    assert client.replace_dnc_records("DNC", [("1", "x")]) == 1


def test_delete_dnc_records_returns_result(stub, client):
    body = {"deleted": 1, "errors": ["8888888 not found"]}
    stub.post(f"{API}/donotcalllist/delete/DNC", json=body)

    result = client.delete_dnc_records("DNC", ["9999999", "8888888"])

    assert result == DncDeleteResult(deleted=1, errors=("8888888 not found",))
    assert sent_json(stub) == [{"key": "9999999"}, {"key": "8888888"}]


def test_delete_all_dnc_records_returns_deleted(stub, client):
    stub.post(f"{API}/donotcalllist/deleteAll/DNC", json={"deleted": 4})

    assert client.delete_all_dnc_records("DNC") == 4


@pytest.mark.parametrize("body", [{}, {"deleted": -1}, {"deleted": True}, []])
def test_delete_all_dnc_records_without_count_raises_malformed(stub, client, body):
    stub.post(f"{API}/donotcalllist/deleteAll/DNC", json=body)

    with pytest.raises(MalformedResponseError, match=r"field 'deleted'"):
        client.delete_all_dnc_records("DNC")


def test_get_token_returns_token_without_value_in_repr(stub, client):
    token = client.get_token()

    assert token.access_token == "token-1"
    assert token.expires_in == 3600
    assert "token-1" not in repr(token)


def test_client_repr_shows_url_and_client_id_only(client):
    assert repr(client) == f"BpccClient(base_url='{BASE_URL}', client_id='harvester')"
    assert SECRET not in repr(vars(client))


def test_client_from_settings_uses_base_url_host_as_scope(stub):
    settings = Settings(
        base_url=f"{BASE_URL}/", client_id="harvester", client_secret=SECRET
    )
    stub.get(f"{API}/campaign/getAll/", json=[])

    with BpccClient.from_settings(settings) as client:
        client.list_campaigns()

    assert "scope=tenant.example.com" in str(stub.calls[0].request.body)
    assert client.base_url == BASE_URL


def test_client_from_settings_without_secret_raises_configuration():
    settings = Settings(base_url=BASE_URL, client_id="harvester")

    with pytest.raises(ConfigurationError, match=r"BPCC_CLIENT_SECRET is not set"):
        BpccClient.from_settings(settings)
