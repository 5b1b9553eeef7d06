"""Hypothesis strategies for hostile API bodies: arbitrary JSON, good and bad items.

Good items have the documented shape, with hostile but storable text in
every string (quotes, SQL, control characters, huge strings). Bad items are
good items with one corruption that the harvester must refuse.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

SQL_BREAKERS = (
    "Robert'); DROP TABLE list_records;--",
    '" or ""="',
    "a;b;c",
    "../../etc/passwd",
    "%00%2F%25",
    "line\nbreak\r\n2026-01-05T08:00:00.000Z ERROR forged",
    "{0} %s %(name)s",
    "\\x00 \\n",
)
# Text a warehouse can hold: no NUL and no lone surrogate.
STORABLE = st.characters(exclude_characters="\x00", exclude_categories=["Cs"])
CONTROL = st.characters(categories=["Cc", "Cf", "Zl", "Zp"], exclude_characters="\x00")
HUGE_TEXT = st.builds(
    lambda piece, times: piece * times,
    st.text(STORABLE, min_size=1, max_size=3),
    st.integers(10_000, 100_000),
)
HOSTILE_TEXT = st.one_of(
    st.text(STORABLE, max_size=30),
    st.text(CONTROL, max_size=10),
    st.sampled_from(SQL_BREAKERS),
)
# Huge strings go in a few fields only, so that a page stays a few megabytes.
NOTES_TEXT = st.one_of(HOSTILE_TEXT, HUGE_TEXT)

# --- arbitrary JSON --------------------------------------------------------

SMALL_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.floats(),
    st.text(),
    st.text(CONTROL),
)
JSON_SCALARS = st.one_of(
    SMALL_SCALARS,
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9" * 5000, "NaN", ""]),
    HUGE_TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=25,
)


def nest(value: Any, depth: int) -> Any:
    """``value`` wrapped ``depth`` times, alternating arrays and objects."""
    for level in range(depth):
        value = [value] if level % 2 else {"entry": value}
    return value


DEEP_VALUES = st.builds(nest, JSON_VALUES, st.integers(10, 300))
ANY_JSON = st.one_of(JSON_VALUES, DEEP_VALUES)

# --- good items ------------------------------------------------------------

FIELD_NAMES = st.one_of(
    st.text(STORABLE, min_size=1, max_size=12), st.sampled_from(SQL_BREAKERS)
)
FIELD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    HOSTILE_TEXT,
    HUGE_TEXT,
)
COUNTS = st.integers(0, 10**6)
TIMES = st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)).map(
    lambda value: value.replace(tzinfo=UTC).isoformat(timespec="milliseconds")[:-6]
)


PENDING_KEY = "pending"


def _unique_lowercase(fields: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    seen = {"id"}
    for name, value in fields.items():
        if name.lower() not in seen:
            seen.add(name.lower())
            entry[name] = value
    return entry


# "pending" becomes a key unique in the page (see with_keys).
ENTRIES = st.dictionaries(FIELD_NAMES, FIELD_VALUES, max_size=6).map(
    lambda fields: {**_unique_lowercase(fields), "id": PENDING_KEY}
)
FULL_STATUS = st.fixed_dictionaries(
    {
        "completed": st.booleans(),
        "globalInteractionID": st.uuids().map(str),
        "lastCallDuration": COUNTS,
        "lastDisposition": HOSTILE_TEXT,
        "totalAttempts": st.integers(1, 255),
        "lastAgent": HOSTILE_TEXT,
        "lastPhone": HOSTILE_TEXT,
        "lastDate": TIMES,
    }
)
STATUS = st.one_of(st.fixed_dictionaries({"completed": st.just(False)}), FULL_STATUS)
ATTEMPT = st.fixed_dictionaries(
    {
        "call_attempted": st.booleans(),
        "disposition": HOSTILE_TEXT,
        "dispositionCode": HOSTILE_TEXT,
        "date": TIMES,
        "phone": HOSTILE_TEXT,
        "callDuration": COUNTS,
        "dialingDuration": COUNTS,
        "callNotes": NOTES_TEXT,
        "agent": HOSTILE_TEXT,
        "globalInteractionID": st.uuids().map(str),
        "CPADuration": COUNTS,
    }
)
GOOD_ITEMS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "list": st.fixed_dictionaries(
        {"entry": ENTRIES, "index": COUNTS, "status": STATUS}
    ),
    "completed": st.fixed_dictionaries(
        {"completedTime": TIMES, "entry": ENTRIES, "status": STATUS}
    ),
    "changed": st.fixed_dictionaries(
        {
            "entry": ENTRIES,
            "completed": st.booleans(),
            "recordDisposition": HOSTILE_TEXT,
            "recordDispositionCode": HOSTILE_TEXT,
            "totalAttempts": st.integers(0, 255),
            "attempts": st.lists(ATTEMPT, max_size=3),
        }
    ),
}

# --- corruptions: each makes a good item one the harvester must refuse -----

Corruption = Callable[[dict[str, Any]], Any]


def _set(path: tuple[str, ...], value: Any) -> Corruption:
    def corrupt(item: dict[str, Any]) -> Any:
        target = item
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return item

    return corrupt


def _drop(path: tuple[str, ...]) -> Corruption:
    def corrupt(item: dict[str, Any]) -> Any:
        target = item
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
        return item

    return corrupt


def _case_twin(item: dict[str, Any]) -> Any:
    item["entry"]["ID"] = "twin"
    return item


ENTRY_CORRUPTIONS: list[Corruption] = [
    lambda item: [item],
    lambda item: json.dumps(item),
    lambda item: None,
    _set(("entry",), ["not", "an", "object"]),
    _set(("entry",), "text"),
    _set(("entry", "nested"), {"a": [1, 2]}),
    _set(("entry", "nested"), [1]),
    _set(("entry", "nan"), math.nan),
    _set(("entry", "inf"), -math.inf),
    _set(("entry", "id"), ""),
    _set(("entry", "id"), None),
    _drop(("entry", "id")),
    _set(("entry", "nul"), "a\x00b"),
    _set(("entry", "bad\x00name"), "x"),
    _set(("entry", "surrogate"), "a\ud800b"),
    _case_twin,
]
STATUS_CORRUPTIONS: list[Corruption] = [
    _set(("status",), "completed"),
    _set(("status",), None),
    _set(("status", "completed"), "true"),
    _set(("status", "lastCallDuration"), "long"),
    _set(("status", "lastCallDuration"), math.inf),
    _set(("status", "totalAttempts"), 10**30),
    _set(("status", "totalAttempts"), "9" * 5000),
    _set(("status", "lastDate"), "yesterday"),
    _set(("status", "lastDate"), "0001-01-01T00:00:00+01:00"),
    _set(("status", "lastAgent"), ["agent"]),
    _set(("status", "lastAgent"), "nul\x00agent"),
    _set(("status", "lastPhone"), "\udfff"),
]
CORRUPTIONS: dict[str, list[Corruption]] = {
    "list": [
        *ENTRY_CORRUPTIONS,
        *STATUS_CORRUPTIONS,
        _set(("index",), "first"),
        _set(("index",), 1.5),
    ],
    "completed": [
        *ENTRY_CORRUPTIONS,
        *STATUS_CORRUPTIONS,
        _drop(("completedTime",)),
        _set(("completedTime",), 1_700_000_000),
        _set(("completedTime",), "2026-13-45T99:00:00.000"),
        _set(("completedTime",), "0001-01-01T00:00:00+01:00"),
    ],
    "changed": [
        *ENTRY_CORRUPTIONS,
        _set(("completed",), None),
        _set(("totalAttempts",), math.nan),
        _set(("totalAttempts",), -(10**30)),
        _set(("attempts",), {"date": "2026-01-05T08:00:00.000"}),
        _set(("attempts",), [None]),
        _set(("attempts",), [{"date": "soon"}]),
        _set(("attempts",), [{"date": "2026-01-05T08:00:00.000", "callDuration": "x"}]),
        _set(("attempts",), [{"date": "2026-01-05T08:00:00.000", "agent": 7}]),
        _set(("attempts",), [{"date": "2026-01-05T08:00:00.000", "callNotes": "\x00"}]),
        _set(("recordDisposition",), "a\ud83db"),
    ],
}


def bad_items(stream: str) -> st.SearchStrategy[Any]:
    """Good items of a stream with one corruption applied."""
    return st.tuples(GOOD_ITEMS[stream], st.sampled_from(CORRUPTIONS[stream])).map(
        lambda pair: pair[1](copy.deepcopy(pair[0]))
    )


def marked_items(stream: str) -> st.SearchStrategy[list[tuple[bool, Any]]]:
    """A page's items, each marked good (True) or bad (False)."""
    item = st.one_of(
        GOOD_ITEMS[stream].map(lambda raw: (True, raw)),
        bad_items(stream).map(lambda raw: (False, raw)),
    )
    return st.lists(item, max_size=8)


def with_keys(marked: list[tuple[bool, Any]], prefix: str) -> list[tuple[bool, Any]]:
    """Gives each item a record key, and each attempt an interaction id, unique.

    Hypothesis repeats its draws across examples, while the warehouse keeps
    every example's rows; ``prefix`` makes this example's identities its own.
    """
    for position, (_, raw) in enumerate(marked):
        entry = raw.get("entry") if isinstance(raw, dict) else None
        if isinstance(entry, dict) and entry.get("id") == PENDING_KEY:
            entry["id"] = f"{prefix}{position}"
        attempts = raw.get("attempts") if isinstance(raw, dict) else None
        for number, attempt in enumerate(attempts or []):
            if isinstance(attempt, dict) and "globalInteractionID" in attempt:
                attempt["globalInteractionID"] = f"{prefix}{position}-{number}"
    return marked


def canonical(raw: Any) -> str:
    """The identity a rejected item is stored under."""
    return json.dumps(raw, sort_keys=True, ensure_ascii=True, default=repr)


def raw_object(pairs: list[tuple[str, Any]]) -> str:
    """A JSON object written by hand, so that keys may repeat."""
    members = (f"{json.dumps(key)}:{json.dumps(value)}" for key, value in pairs)
    return "{" + ",".join(members) + "}"
