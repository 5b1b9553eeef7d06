"""The fixed tables of generated data."""

from __future__ import annotations

import json

import pytest

from harvester.simulator.catalog import (
    DISPOSITIONS,
    agent_names,
    campaign_names,
    derive_seed,
    find_disposition,
    json_str,
    pick_disposition,
)


@pytest.mark.parametrize("draw", [0.0, 0.5, 0.999999999])
def test_pick_disposition_covers_unit_interval(draw):
    assert pick_disposition(draw) in DISPOSITIONS


def test_pick_disposition_follows_weights():
    picks = [pick_disposition(n / 1000).name for n in range(1000)]

    assert picks.count("No answer") > picks.count("Do not call")


def test_find_disposition_unknown_name_is_plain():
    outcome = find_disposition("Try Later Tomorrow")

    assert (outcome.name, outcome.code, outcome.is_final) == (
        "Try Later Tomorrow",
        "",
        False,
    )
    assert find_disposition("product SOLD").code == "SALE"


def test_final_dispositions_are_connected():
    assert all(item.is_connected for item in DISPOSITIONS if item.is_final)


@pytest.mark.parametrize("text", ["plain", "with space", 'quote"', "ünï", "", "a\\b"])
def test_json_str_matches_json_dumps(text):
    assert json.loads(json_str(text)) == text


def test_names_are_distinct_beyond_tables():
    assert len(set(agent_names(40))) == 40
    assert len(set(campaign_names(20))) == 20


def test_derive_seed_is_stable():
    assert derive_seed(1, "campaign", "A") == derive_seed(1, "campaign", "A")
    assert derive_seed(1, "campaign", "A") != derive_seed(2, "campaign", "A")
