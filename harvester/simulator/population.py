"""The campaigns, calling lists and records a configured tenant starts with."""

from __future__ import annotations

import random
from dataclasses import dataclass

from harvester.simulator.catalog import (
    AREA_CODES,
    FIRST_NAMES,
    LAST_NAMES,
    TIERS,
    campaign_names,
    derive_seed,
)
from harvester.simulator.config import SimulatorConfig
from harvester.simulator.records import Entry


@dataclass(frozen=True, slots=True)
class PlannedCampaign:
    """A campaign to create and the lists it dials, in order."""

    name: str
    lists: tuple[str, ...]


def plan_campaigns(config: SimulatorConfig) -> list[PlannedCampaign]:
    """The generated campaigns: each owns its lists, some lists serve two.

    The first list of campaign ``n`` is shared with campaign ``n + 1`` for the
    first ``shared_lists`` campaigns, so a shared list has separate results
    in two campaigns.
    """
    names = campaign_names(config.campaigns)
    own = [
        [
            _list_name(name, number, config.lists_per_campaign)
            for number in range(1, config.lists_per_campaign + 1)
        ]
        for name in names
    ]
    lists = [list(owned) for owned in own]
    sharing = min(config.shared_lists, config.campaigns - 1)
    for position in range(max(sharing, 0)):
        if own[position]:
            lists[position + 1].append(own[position][0])
    return [
        PlannedCampaign(name, tuple(planned))
        for name, planned in zip(names, lists, strict=True)
    ]


def generate_entries(config: SimulatorConfig, list_name: str) -> list[Entry]:
    """The records of a generated list, the same for the same seed and name.

    Field names are already lowercase, as the tenant stores them.
    """
    rng = random.Random(derive_seed(config.seed, "list", list_name))
    area = AREA_CODES[rng.randrange(len(AREA_CODES))]
    extra_keys = [field.lower() for field in config.key_fields if field.lower() != "id"]
    entries: list[Entry] = []
    for number in range(1, config.records_per_list + 1):
        entry: Entry = {
            "id": str(number),
            "firstname": FIRST_NAMES[int(rng.random() * len(FIRST_NAMES))],
            "lastname": LAST_NAMES[int(rng.random() * len(LAST_NAMES))],
            "phone": f"1{area}{int(rng.random() * 10_000_000):07d}",
            "tier": TIERS[int(rng.random() * len(TIERS))],
        }
        for field in extra_keys:
            entry.setdefault(field, f"{field}-{number}")
        entries.append(entry)
    return entries


def _list_name(campaign: str, number: int, count: int) -> str:
    if count == 1:
        return f"{campaign}.csv"
    return f"{campaign} {number}.csv"
