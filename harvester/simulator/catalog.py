"""The fixed tables of generated data: dispositions, names and call notes."""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate


def json_str(text: str) -> str:
    """The JSON literal of a string, fast for the plain strings most values are.

    A printable string without quotes or backslashes needs no escaping in
    JSON, so it is quoted as it is; anything else goes through json.dumps.
    """
    if text.isprintable() and '"' not in text and "\\" not in text:
        return '"' + text + '"'
    return json.dumps(text, ensure_ascii=False)


def derive_seed(seed: int, *parts: str) -> int:
    """A stable seed for one named part of the tenant (same in every process)."""
    digest = hashlib.blake2b(
        "\x1f".join((str(seed), *parts)).encode(), digest_size=8
    ).digest()
    return int.from_bytes(digest, "big")


@dataclass(frozen=True, slots=True)
class Disposition:
    """How a call attempt ended.

    Attributes:
        name: the disposition the API reports.
        code: its disposition code, or "" when it has none.
        weight: relative frequency among generated attempts.
        is_connected: a person answered; the call reached an agent.
        is_final: the record is done and is not dialed again.
        dialing_seconds: (min, max) time from dialing to answer or give-up.
        cpa_seconds: (min, max) time call progress analysis listened.
        head_json: the attempt's first three JSON members, rendered once.
    """

    name: str
    code: str
    weight: float
    is_connected: bool
    is_final: bool
    dialing_seconds: tuple[int, int] = (0, 0)
    cpa_seconds: tuple[int, int] = (0, 0)
    head_json: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        head = (
            f'"call_attempted":{"true" if self.is_connected else "false"},'
            f'"disposition":{json_str(self.name)},'
            f'"dispositionCode":{json_str(self.code)}'
        )
        object.__setattr__(self, "head_json", head)


def _unanswered(
    name: str, weight: float, dialing: tuple[int, int], cpa: tuple[int, int] = (0, 0)
) -> Disposition:
    return Disposition(
        name,
        "",
        weight,
        is_connected=False,
        is_final=False,
        dialing_seconds=dialing,
        cpa_seconds=cpa,
    )


def _answered(name: str, code: str, weight: float, *, is_final: bool) -> Disposition:
    return Disposition(
        name,
        code,
        weight,
        is_connected=True,
        is_final=is_final,
        dialing_seconds=(3, 20),
        cpa_seconds=(1, 3),
    )


DISPOSITIONS: tuple[Disposition, ...] = (
    _unanswered("No answer", 30, (25, 45)),
    _unanswered("Busy", 8, (1, 6)),
    _unanswered("Fast busy", 3, (0, 2)),
    _unanswered("Answering machine", 14, (5, 20), cpa=(3, 8)),
    _unanswered("Try again later", 2, (2, 10)),
    _answered("No disposition", "", 4, is_final=False),
    _answered("Call back later", "CB", 8, is_final=False),
    _answered("Not interested", "NI", 14, is_final=True),
    _answered("Product sold", "SALE", 10, is_final=True),
    _answered("Wrong number", "WN", 4, is_final=True),
    _answered("Do not call", "DNC", 3, is_final=True),
)
DISPOSITIONS_BY_NAME = {item.name.lower(): item for item in DISPOSITIONS}
_CUMULATIVE = tuple(accumulate(item.weight for item in DISPOSITIONS))


def pick_disposition(draw: float) -> Disposition:
    """The disposition a uniform draw in [0, 1) falls on, by weight."""
    position = bisect_right(_CUMULATIVE, draw * _CUMULATIVE[-1])
    return DISPOSITIONS[min(position, len(DISPOSITIONS) - 1)]


def find_disposition(name: str) -> Disposition:
    """A known disposition by name, or a plain non-final one for other names."""
    known = DISPOSITIONS_BY_NAME.get(name.lower())
    if known is not None:
        return known
    return Disposition(name, "", 0, is_connected=False, is_final=False)


AGENT_NAMES = (
    "elizabeth", "james", "maria", "david", "sofia", "michael", "olivia",
    "daniel", "aisha", "lucas", "mei", "omar", "hannah", "pedro", "ingrid",
    "kwame",
)  # fmt: skip

FIRST_NAMES = (
    "Graham", "Mike", "Katrina", "Jenny", "Blade", "Eli", "Ana", "Bruno",
    "Chloé", "Dmitri", "Emeka", "Fatima", "Giulia", "Hiro", "Isabel", "Jonas",
    "Kofi", "Lena", "Mateo", "Nadia", "Oscar", "Priya", "Quinn", "Rosa",
    "Søren", "Tomás", "Uma", "Viktor", "Wen", "Yara", "Zoë",
)  # fmt: skip

LAST_NAMES = (
    "Smith", "Miller", "Johnson", "Green", "Clark", "García", "Nguyen",
    "Okafor", "Kowalski", "Schmidt", "O'Brien", "Rossi", "Tanaka", "Haddad",
    "Larsen", "Novak", "Silva", "Fischer", "Moreau", "Patel",
)  # fmt: skip

TIERS = ("Bronze", "Silver", "Gold", "Platinum")

AREA_CODES = ("415", "510", "650", "408", "212", "312", "617", "206")

CAMPAIGN_NAMES = (
    "Spring Renewals", "Win-back Q1", "Customer Survey", "Gold Upsell",
    "Payment Reminders", "Event Invitations", "Loyalty Check-in",
    "New Product Launch",
)  # fmt: skip

CALL_NOTES = (
    "Asked for a brochure by email",
    "Prefers calls after 5 pm",
    "Spouse handles the account",
    "Interested in the premium plan",
    "Said the price is too high",
)


def agent_names(count: int) -> list[str]:
    """``count`` distinct agent user names."""
    names = []
    for position in range(count):
        base = AGENT_NAMES[position % len(AGENT_NAMES)]
        round_ = position // len(AGENT_NAMES)
        names.append(base if round_ == 0 else f"{base}{round_ + 1}")
    return names


def campaign_names(count: int) -> list[str]:
    """``count`` distinct campaign names."""
    names = []
    for position in range(count):
        base = CAMPAIGN_NAMES[position % len(CAMPAIGN_NAMES)]
        round_ = position // len(CAMPAIGN_NAMES)
        names.append(base if round_ == 0 else f"{base} {round_ + 1}")
    return names
