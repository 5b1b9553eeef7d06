"""The JSON of records, statuses and attempts."""

from __future__ import annotations

import json

from harvester.simulator.catalog import find_disposition
from harvester.simulator.records import CallingList
from harvester.simulator.render import (
    attempt_json,
    changed_item,
    format_ms,
    join_page,
    status_json,
)
from harvester.simulator.results import Attempt, ListResults


def test_format_ms_is_api_time():
    assert format_ms(1_613_761_957_000) == "2021-02-19T19:12:37.000"
    assert format_ms(1_613_761_957_042) == "2021-02-19T19:12:37.042"


def test_status_never_called_has_only_completed():
    assert json.loads(status_json(None)) == {"completed": False}


def test_attempt_json_escapes_free_text():
    calling_list = CallingList("list.csv")
    calling_list.add({"id": "1", "phone": '+1 (650) "5"'})
    results = ListResults("Campaign", calling_list)
    attempt = Attempt(results, 0, 0, find_disposition("Call back later"), False)
    attempt.phone = calling_list.phone_of(0)
    attempt.call_notes = 'said "call me" \\ later\n'
    attempt.agent = "zoë"
    attempt.interaction_id = "ABC"

    parsed = json.loads(attempt_json(attempt))

    assert parsed["phone"] == '+1 (650) "5"'
    assert parsed["callNotes"] == 'said "call me" \\ later\n'
    assert parsed["agent"] == "zoë"
    assert parsed["dispositionCode"] == "CB"
    assert parsed["call_attempted"] is True


def test_changed_item_is_valid_json_in_a_page():
    calling_list = CallingList("list.csv")
    calling_list.add({"id": "1", "name": "Zoë"})
    results = ListResults("Campaign", calling_list)
    results.reveal(Attempt(results, 0, 0, find_disposition("Product sold"), True))

    page = json.loads(join_page([changed_item(calling_list, results.records[0])] * 2))

    assert page[0]["recordDisposition"] == "Product sold"
    assert page[0]["recordDispositionCode"] == "SALE"
    assert page[1]["entry"] == {"id": "1", "name": "Zoë"}
