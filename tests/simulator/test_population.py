"""The generated campaigns, lists and records."""

from __future__ import annotations

from harvester.simulator import SimulatorConfig
from harvester.simulator.population import generate_entries, plan_campaigns


def test_plan_shares_first_list_with_next_campaign():
    planned = plan_campaigns(SimulatorConfig(campaigns=3, lists_per_campaign=2))

    assert [campaign.lists for campaign in planned] == [
        ("Spring Renewals 1.csv", "Spring Renewals 2.csv"),
        ("Win-back Q1 1.csv", "Win-back Q1 2.csv", "Spring Renewals 1.csv"),
        ("Customer Survey 1.csv", "Customer Survey 2.csv"),
    ]


def test_plan_single_campaign_shares_nothing():
    (only,) = plan_campaigns(SimulatorConfig(campaigns=1, shared_lists=3))

    assert only.lists == ("Spring Renewals.csv",)


def test_generated_entries_are_deterministic():
    config = SimulatorConfig(records_per_list=50)

    first = generate_entries(config, "a.csv")

    assert first == generate_entries(config, "a.csv")
    assert first != generate_entries(config, "b.csv")
    assert [entry["id"] for entry in first] == [str(n) for n in range(1, 51)]


def test_generated_entries_carry_every_key_field():
    config = SimulatorConfig(records_per_list=2, key_fields=("ID", "Account"))

    entries = generate_entries(config, "a.csv")

    assert entries[1]["account"] == "account-2"
