"""Calling lists and DNC lists: their records, keys and cached JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from harvester.simulator.refusals import (
    DuplicateKeyError,
    InvalidRequestError,
    RecordNotFoundError,
)

Scalar = str | int | float | bool | None
Entry = dict[str, Scalar]


def normalize_entry(fields: Any) -> Entry:
    """The entry as the tenant stores it: field names lowercase, scalar values.

    Raises:
        InvalidRequestError: the fields are not an object of scalar values.
    """
    if not isinstance(fields, Mapping):
        raise InvalidRequestError("record is not a JSON object")
    entry: Entry = {}
    for name, value in fields.items():
        if not isinstance(name, str) or not name:
            raise InvalidRequestError("record has an empty field name")
        if isinstance(value, dict | list):
            raise InvalidRequestError(f"field '{name}' is not a scalar value")
        entry[name.lower()] = value
    return entry


class CallingList:
    """One calling list: records numbered from 0 in insertion order.

    Record identity is the value of the key fields, whose names match
    case-insensitively; ``generation`` changes when the list is emptied, so
    that work scheduled for the old records can tell it is stale.
    """

    def __init__(self, name: str, key_fields: Iterable[str] = ("id",)) -> None:
        self.name = name
        self.key_fields = tuple(field.lower() for field in key_fields)
        if not self.key_fields:
            raise ValueError(f"calling list '{name}' has no key fields")
        self.entries: list[Entry] = []
        self.keys: list[str] = []
        self.generation = 0
        self._positions: dict[str, int] = {}
        self._entry_json: list[str | None] = []

    def __len__(self) -> int:
        return len(self.entries)

    def key_of(self, entry: Entry) -> str:
        """The record key: the key values, joined by "|" when there are several.

        Raises:
            InvalidRequestError: a key field is missing or empty.
        """
        values = []
        for field in self.key_fields:
            value = entry.get(field)
            if value is None or value == "":
                raise InvalidRequestError(f"record is missing key field '{field}'")
            values.append(value if isinstance(value, str) else json.dumps(value))
        return "|".join(values)

    def add(self, fields: Any) -> int:
        """Appends a record and returns its index.

        Raises:
            InvalidRequestError: the record is malformed or lacks a key field.
            DuplicateKeyError: a record with the same key exists.
        """
        entry = normalize_entry(fields)
        key = self.key_of(entry)
        if key in self._positions:
            raise DuplicateKeyError(f"record '{key}' already exists in '{self.name}'")

        index = len(self.entries)
        self.entries.append(entry)
        self.keys.append(key)
        self._entry_json.append(None)
        self._positions[key] = index
        return index

    def load(self, entries: Iterable[Entry]) -> int:
        """Appends generated records, already normalized; skips duplicate keys.

        Returns how many were added. Generated lists skip ``add``'s checks,
        which would dominate the start-up of a large tenant.
        """
        added = 0
        for entry in entries:
            key = self.key_of(entry)
            if key in self._positions:
                continue
            self._positions[key] = len(self.entries)
            self.entries.append(entry)
            self.keys.append(key)
            added += 1
        self._entry_json.extend([None] * (len(self.entries) - len(self._entry_json)))
        return added

    def find(self, fields: Any) -> int:
        """The index of the record whose key the fields carry.

        Raises:
            InvalidRequestError: the fields lack a key field.
            RecordNotFoundError: no record has that key.
        """
        if not isinstance(fields, Mapping):
            raise InvalidRequestError("record is not a JSON object")
        lowered = {str(name).lower(): value for name, value in fields.items()}
        key = self.key_of(lowered)
        index = self._positions.get(key)
        if index is None:
            raise RecordNotFoundError(f"record '{key}' is not in '{self.name}'")
        return index

    def position_of(self, key: str) -> int:
        """The index of the record with this record key.

        Raises:
            RecordNotFoundError: no record has that key.
        """
        index = self._positions.get(key)
        if index is None:
            raise RecordNotFoundError(f"record '{key}' is not in '{self.name}'")
        return index

    def update(self, fields: Any) -> int:
        """Changes the given non-key fields of a record; returns its index."""
        index = self.find(fields)
        changes = normalize_entry(fields)
        for field in self.key_fields:
            changes.pop(field, None)
        self.entries[index].update(changes)
        self._entry_json[index] = None
        return index

    def clear(self) -> int:
        """Removes every record; returns how many there were."""
        count = len(self.entries)
        self.entries = []
        self.keys = []
        self._positions = {}
        self._entry_json = []
        self.generation += 1
        return count

    def entry_json(self, index: int) -> str:
        """The JSON of a record's entry, rendered once until the record changes."""
        cached = self._entry_json[index]
        if cached is None:
            cached = json.dumps(
                self.entries[index], ensure_ascii=False, separators=(",", ":")
            )
            self._entry_json[index] = cached
        return cached

    def phone_of(self, index: int) -> str:
        """The number the dialer calls for a record ("" when it has none)."""
        value = self.entries[index].get("phone")
        return "" if value is None else str(value)


class DncList:
    """A Do Not Call list: phone numbers, each with an optional comment."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.numbers: dict[str, str] = {}

    def add(self, rows: Any) -> int:
        """Adds ``[[phone, comment], ...]`` rows; returns how many were new.

        Raises:
            InvalidRequestError: the body is not a list of [phone, comment] rows.
        """
        parsed = _parse_dnc_rows(rows)
        added = 0
        for phone, comment in parsed:
            if phone not in self.numbers:
                self.numbers[phone] = comment
                added += 1
        return added

    def delete(self, items: Any) -> tuple[int, list[str]]:
        """Removes ``[{"key": phone}, ...]``; returns the count and the errors."""
        if not isinstance(items, list):
            raise InvalidRequestError('body is not a list of {"key": ...} objects')
        deleted = 0
        errors = []
        for position, item in enumerate(items):
            key = item.get("key") if isinstance(item, dict) else None
            if not isinstance(key, str) or not key:
                errors.append(f"item {position} has no 'key'")
            elif self.numbers.pop(key, None) is None:
                errors.append(f"record '{key}' is not in '{self.name}'")
            else:
                deleted += 1
        return deleted, errors

    def clear(self) -> int:
        """Removes every number; returns how many there were."""
        count = len(self.numbers)
        self.numbers = {}
        return count


def _parse_dnc_rows(rows: Any) -> list[tuple[str, str]]:
    if not isinstance(rows, list):
        raise InvalidRequestError("body is not a list of [phone, comment] rows")
    parsed = []
    for position, row in enumerate(rows):
        if not isinstance(row, list) or not 1 <= len(row) <= 2:
            raise InvalidRequestError(f"row {position} is not [phone, comment]")
        if not all(isinstance(value, str) for value in row) or not row[0]:
            raise InvalidRequestError(f"row {position} holds a non-string value")
        parsed.append((row[0], row[1] if len(row) == 2 else ""))
    return parsed
