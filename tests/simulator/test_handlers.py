"""Each API method's status codes, bodies and shapes, over loopback HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harvester.simulator import SimulatorServer
from tests.simulator.conftest import CAMPAIGN, LIST
from tests.simulator.support import Api

STATUS_KEYS = {
    "globalInteractionID",
    "lastCallDuration",
    "lastDisposition",
    "totalAttempts",
    "completed",
    "lastAgent",
    "lastPhone",
    "lastDate",
}
CHANGED_KEYS = {
    "entry",
    "completed",
    "recordDisposition",
    "recordDispositionCode",
    "totalAttempts",
    "attempts",
}
ATTEMPT_KEYS = {
    "call_attempted",
    "disposition",
    "dispositionCode",
    "date",
    "phone",
    "callDuration",
    "dialingDuration",
    "callNotes",
    "agent",
    "globalInteractionID",
    "CPADuration",
}


def test_add_record_returns_empty_200_and_lowercases_names(api: Api):
    response = api.post("callinglist/add", LIST, json={"ID": "9", "firstName": "Al"})

    assert response.status_code == 200
    assert response.content == b""
    fetched = api.post("callinglist/get", LIST, CAMPAIGN, json={"id": "9"}).json()
    assert fetched == {
        "entry": {"id": "9", "firstname": "Al"},
        "status": {"completed": False},
    }


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"id": "1", "firstName": "Again"}, 409),
        ({"Id": "1"}, 409),
        ({"firstName": "No key"}, 400),
        ({"id": ""}, 400),
        ({"id": "7", "nested": {"a": 1}}, 400),
        (["id", "7"], 400),
    ],
)
def test_add_record_bad_record_is_refused(api: Api, body, status):
    response = api.post("callinglist/add", LIST, json=body)

    assert response.status_code == status
    assert "error" in response.json()


def test_add_record_malformed_json_returns_400(api: Api):
    response = api.post("callinglist/add", LIST, data=b'{"id": "7",')

    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_add_all_all_good_reports_only_added(api: Api):
    records = [{"ID": "5a", "Phone": "1"}, {"ID": "6a", "Phone": "2"}]

    response = api.post("callinglist/addAll", LIST, json=records)

    assert response.status_code == 200
    assert response.json() == {"added": 2}


def test_add_all_partial_success_lists_errors(api: Api):
    records = [{"id": "10"}, {"id": "1"}, {"name": "no key"}, {"id": "11"}, "x"]

    response = api.post("callinglist/addAll", LIST, json=records)

    assert response.status_code == 200
    body = response.json()
    assert body["added"] == 2
    assert len(body["errors"]) == 3
    assert "already exists" in body["errors"][0]


def test_add_all_body_not_array_returns_400(api: Api):
    assert api.post("callinglist/addAll", LIST, json={"id": "1"}).status_code == 400


def test_update_record_changes_non_key_fields(api: Api):
    response = api.post(
        "callinglist/update",
        LIST,
        json={"ID": "2", "firstName": "Posty", "Tier": "Gold"},
    )

    assert response.status_code == 200
    assert response.content == b""
    entry = api.post("callinglist/get", LIST, CAMPAIGN, json={"id": "2"}).json()[
        "entry"
    ]
    assert entry["firstname"] == "Posty"
    assert entry["tier"] == "Gold"
    assert entry["id"] == "2"


def test_update_record_unknown_record_returns_empty_404(api: Api):
    response = api.post("callinglist/update", LIST, json={"id": "404", "x": "y"})

    assert response.status_code == 404
    assert response.content == b""


def test_update_record_missing_key_returns_400(api: Api):
    assert api.post("callinglist/update", LIST, json={"x": "y"}).status_code == 400


def test_delete_all_removes_records_and_results(quiet: SimulatorServer, api: Api):
    quiet.tenant.inject_attempts(
        CAMPAIGN, LIST, ["1"], quiet.clock.now(), disposition="Product sold"
    )

    response = api.post("callinglist/deleteAll", LIST)

    assert response.status_code == 200
    assert response.content == b""
    assert api.all(LIST, CAMPAIGN).json() == []
    assert api.changed(LIST, CAMPAIGN).json() == []
    assert api.post("callinglist/deleteAll", LIST).status_code == 200


def test_delete_all_numbers_new_records_from_zero(api: Api):
    api.post("callinglist/deleteAll", LIST)

    api.post("callinglist/add", LIST, json={"id": "new"})

    assert [item["index"] for item in api.all(LIST, CAMPAIGN).json()] == [0]


def test_get_all_items_have_entry_index_status(quiet: SimulatorServer, api: Api):
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["2"], quiet.clock.now())

    items = api.all(LIST, CAMPAIGN).json()

    assert [item["index"] for item in items] == [0, 1, 2, 3, 4]
    assert all(set(item) == {"entry", "index", "status"} for item in items)
    assert items[0]["status"] == {"completed": False}
    assert set(items[1]["status"]) == STATUS_KEYS
    assert items[1]["status"]["totalAttempts"] == 1


@pytest.mark.parametrize(
    ("from_index", "size", "indexes"),
    [(0, 2, [0, 1]), (3, "100", [3, 4]), ("1", 1, [1]), (5, 10, []), (0, 0, [])],
)
def test_get_all_pages_by_index(api: Api, from_index, size, indexes):
    items = api.all(LIST, CAMPAIGN, from_index, size).json()

    assert [item["index"] for item in items] == indexes


def test_get_record_found_has_entry_and_status(quiet: SimulatorServer, api: Api):
    quiet.tenant.inject_attempts(
        CAMPAIGN, LIST, ["3"], quiet.clock.now(), disposition="Call back later"
    )

    response = api.post("callinglist/get", LIST, CAMPAIGN, json={"id": "3", "x": 1})

    assert response.status_code == 200
    body = response.json()
    assert body["entry"]["id"] == "3"
    assert set(body["status"]) == STATUS_KEYS
    assert body["status"]["lastDisposition"] == "Call back later"


def test_get_record_any_campaign_name_is_accepted(api: Api):
    response = api.post("callinglist/get", LIST, "any string", json={"id": "3"})

    assert response.status_code == 200
    assert response.json()["status"] == {"completed": False}


@pytest.mark.parametrize(("body", "status"), [({"id": "99"}, 404), ({}, 400)])
def test_get_record_missing_or_keyless_is_refused(api: Api, body, status):
    response = api.post("callinglist/get", LIST, CAMPAIGN, json=body)

    assert response.status_code == status


def test_get_changed_items_have_documented_shape(quiet: SimulatorServer, api: Api):
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["1"], quiet.clock.now())

    (item,) = api.changed(LIST, CAMPAIGN).json()

    assert set(item) == CHANGED_KEYS
    assert set(item["attempts"][0]) == ATTEMPT_KEYS
    assert item["completed"] is False
    assert item["recordDisposition"] == ""


def test_get_completed_items_have_documented_shape(quiet: SimulatorServer, api: Api):
    now = quiet.clock.now()
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["4"], now, disposition="Product sold")

    (item,) = api.completed(LIST, CAMPAIGN).json()

    assert set(item) == {"completedTime", "entry", "status"}
    assert item["status"]["completed"] is True
    assert item["entry"]["id"] == "4"


@pytest.mark.parametrize(
    "method",
    ["callinglist/getAll", "callinglist/getChanged", "callinglist/getCompleted"],
)
@pytest.mark.parametrize(
    ("list_name", "campaign"), [("nope.csv", CAMPAIGN), (LIST, "No Such Campaign")]
)
def test_paged_methods_unknown_names_return_404(api: Api, method, list_name, campaign):
    body = {"fromIndex": 0, "fromTime": "2020-01-01T00:00:00.000", "maxSize": 10}

    response = api.post(method, list_name, campaign, json=body)

    assert response.status_code == 404
    assert "not found" in response.json()["error"]


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("callinglist/getChanged", {"maxSize": 10}),
        ("callinglist/getChanged", {"fromTime": "yesterday", "maxSize": 10}),
        ("callinglist/getChanged", {"fromTime": 20210101, "maxSize": 10}),
        ("callinglist/getChanged", {"fromTime": "2021-01-01T00:00:00", "maxSize": "x"}),
        ("callinglist/getCompleted", {"maxSize": 10}),
        ("callinglist/getCompleted", {"fromTime": "2021-13-01T00:00:00.000"}),
        ("callinglist/getAll", {"maxSize": 10}),
        ("callinglist/getAll", {"fromIndex": "first", "maxSize": 10}),
        ("callinglist/getAll", {"fromIndex": -1, "maxSize": 10}),
        ("callinglist/getAll", {"fromIndex": 0, "maxSize": -5}),
        ("callinglist/getAll", {"fromIndex": True, "maxSize": 10}),
        ("callinglist/getAll", [0, 10]),
    ],
)
def test_paged_methods_bad_body_returns_400(api: Api, method, body):
    response = api.post(method, LIST, CAMPAIGN, json=body)

    assert response.status_code == 400
    assert "error" in response.json()


def test_campaigns_lists_enabled_campaigns_only(quiet: SimulatorServer, api: Api):
    quiet.tenant.add_campaign("Paused", [LIST], state="STOPPED")
    quiet.tenant.add_campaign("Hidden", ["other.csv"])
    quiet.tenant.disable_campaign("Hidden")

    campaigns = api.campaigns().json()

    assert campaigns == [
        {"name": CAMPAIGN, "state": "RUNNING", "lists": [LIST]},
        {"name": "Paused", "state": "STOPPED", "lists": [LIST]},
    ]


def test_dnc_methods_count_added_and_deleted(api: Api):
    rows = [["123456789", "optional comment"], ["9999999999", "x"], ["123456789"]]

    added = api.post("donotcalllist/add", "DNC_List", json=rows)
    again = api.post("donotcalllist/add", "DNC_List", json=rows)
    deleted = api.post(
        "donotcalllist/delete", "DNC_List", json=[{"key": "123456789"}, {"key": "1"}]
    )
    replaced = api.post("donotcalllist/replaceAll", "DNC_List", json=rows[:1])
    emptied = api.post("donotcalllist/deleteAll", "DNC_List")

    assert added.json() == {"added": 2}
    assert again.json() == {"added": 0}
    assert deleted.json() == {
        "deleted": 1,
        "errors": ["record '1' is not in 'DNC_List'"],
    }
    assert replaced.json() == {"added": 1}
    assert emptied.json() == {"deleted": 1}


@pytest.mark.parametrize(
    ("method", "body", "status"),
    [
        ("donotcalllist/add", [["1", "c"]], 404),
        ("donotcalllist/add", {"phone": "1"}, 400),
        ("donotcalllist/replaceAll", [[1, 2]], 400),
        ("donotcalllist/delete", {"key": "1"}, 400),
        ("donotcalllist/deleteAll", None, 404),
    ],
)
def test_dnc_methods_bad_requests_are_refused(api: Api, method, body, status):
    name = "No DNC" if status == 404 else "DNC_List"

    response = api.post(method, name, json=body)

    assert response.status_code == status


def test_dnc_replace_all_bad_body_keeps_numbers(api: Api):
    api.post("donotcalllist/add", "DNC_List", json=[["1"], ["2"]])

    api.post("donotcalllist/replaceAll", "DNC_List", json=[["3"], [4]])

    assert api.post("donotcalllist/deleteAll", "DNC_List").json() == {"deleted": 2}


def test_get_changed_attempt_dates_are_api_times(quiet: SimulatorServer, api: Api):
    at = quiet.clock.now() - timedelta(seconds=1, milliseconds=250)
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["5"], at)

    (item,) = api.changed(LIST, CAMPAIGN).json()

    assert item["attempts"][0]["date"] == "2026-01-05T07:59:58.750"
