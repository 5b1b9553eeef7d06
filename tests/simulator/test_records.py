"""Calling lists and DNC lists."""

from __future__ import annotations

import pytest

from harvester.simulator.records import CallingList, DncList, normalize_entry
from harvester.simulator.refusals import (
    DuplicateKeyError,
    InvalidRequestError,
    RecordNotFoundError,
)


def test_calling_list_numbers_records_from_zero():
    people = CallingList("people.csv")

    assert people.add({"ID": "a"}) == 0
    assert people.add({"id": "b", "Phone": 1650}) == 1
    assert people.keys == ["a", "b"]
    assert people.phone_of(1) == "1650"
    assert people.phone_of(0) == ""


def test_calling_list_key_names_match_any_case():
    people = CallingList("people.csv", ["Account"])
    people.add({"ACCOUNT": "7", "x": "1"})

    assert people.find({"account": "7"}) == 0
    with pytest.raises(DuplicateKeyError, match="record '7' already exists"):
        people.add({"Account": "7"})


def test_calling_list_number_key_is_json_text():
    people = CallingList("people.csv")

    people.add({"id": 12})

    assert people.keys == ["12"]
    assert people.position_of("12") == 0


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"name": "x"}, InvalidRequestError),
        ({"id": None}, InvalidRequestError),
        ("id=1", InvalidRequestError),
        ({"id": "zz"}, RecordNotFoundError),
    ],
)
def test_calling_list_find_refuses(fields, error):
    people = CallingList("people.csv")
    people.add({"id": "1"})

    with pytest.raises(error):
        people.find(fields)


def test_calling_list_update_refreshes_entry_json():
    people = CallingList("people.csv")
    people.add({"id": "1", "Name": "Ann"})
    before = people.entry_json(0)

    people.update({"ID": "1", "name": "Bo"})

    assert before == '{"id":"1","name":"Ann"}'
    assert people.entry_json(0) == '{"id":"1","name":"Bo"}'


def test_calling_list_clear_starts_new_generation():
    people = CallingList("people.csv")
    people.add({"id": "1"})

    assert people.clear() == 1

    assert len(people) == 0
    assert people.generation == 1
    assert people.add({"id": "1"}) == 0


def test_calling_list_load_skips_duplicates():
    people = CallingList("people.csv")

    assert people.load([{"id": "1"}, {"id": "1"}, {"id": "2"}]) == 2
    assert people.entry_json(1) == '{"id":"2"}'


def test_normalize_entry_lowercases_names():
    assert normalize_entry({"firstName": "Ann", "ID": 1}) == {
        "firstname": "Ann",
        "id": 1,
    }


def test_dnc_list_add_ignores_duplicates():
    dnc = DncList("DNC")

    assert dnc.add([["1", "a"], ["1", "b"], ["2"]]) == 2
    assert dnc.numbers == {"1": "a", "2": ""}


@pytest.mark.parametrize("rows", [{"1": "a"}, [["1", "a", "b"]], [[]], [[""]], [[1]]])
def test_dnc_list_bad_rows_are_refused(rows):
    with pytest.raises(InvalidRequestError):
        DncList("DNC").add(rows)


def test_dnc_list_delete_reports_unknown_keys():
    dnc = DncList("DNC")
    dnc.add([["1"]])

    assert dnc.delete([{"key": "1"}, {"key": "9"}, {"nokey": 1}]) == (
        1,
        ["record '9' is not in 'DNC'", "item 2 has no 'key'"],
    )
