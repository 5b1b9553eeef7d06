"""Typed results of the API and the parsing that checks each item's shape.

Parsing is strict per item and lenient per page: an item that does not have
the documented shape raises ``ItemError`` with a reason, and the page keeps
the other items (see ``parse_page``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from harvester.timeutil import parse_api_time

JsonScalar = str | int | float | bool | None
Entry = dict[str, JsonScalar]
T = TypeVar("T")


class ItemError(ValueError):
    """One item of a response does not have the documented shape."""


@dataclass(frozen=True, slots=True)
class Token:
    """An OAuth access token; its value never appears in a repr."""

    access_token: str = field(repr=False)
    token_type: str
    expires_in: int
    scope: str


@dataclass(frozen=True, slots=True)
class Campaign:
    """An enabled campaign as campaign/getAll lists it."""

    name: str
    state: str
    lists: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecordStatus:
    """The results of calling one record in one campaign.

    Only ``completed`` is always present; a record never called carries
    nothing else.
    """

    completed: bool
    global_interaction_id: str | None = None
    last_call_duration: int | None = None
    last_disposition: str | None = None
    total_attempts: int | None = None
    last_agent: str | None = None
    last_phone: str | None = None
    last_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ListRecord:
    """A record read by calling list getAll or get."""

    entry: Entry
    status: RecordStatus
    index: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class CompletedRecord:
    """A record read by getCompleted."""

    completed_time: datetime
    entry: Entry
    status: RecordStatus
    raw: Mapping[str, Any] = field(repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class CallAttempt:
    """One call attempt of a record, as getChanged reports it."""

    date: datetime
    call_attempted: bool
    disposition: str
    disposition_code: str
    phone: str
    call_duration: int
    dialing_duration: int
    cpa_duration: int
    call_notes: str
    agent: str
    global_interaction_id: str | None


@dataclass(frozen=True, slots=True)
class ChangedRecord:
    """A record with activity in a campaign, as getChanged reports it."""

    entry: Entry
    completed: bool
    record_disposition: str
    record_disposition_code: str
    total_attempts: int
    attempts: tuple[CallAttempt, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def activity_time(self) -> datetime | None:
        """The date of the latest attempt: the time getChanged orders by."""
        return max((a.date for a in self.attempts), default=None)


@dataclass(frozen=True, slots=True)
class RejectedItem:
    """An item set aside because it does not have the documented shape."""

    position: int
    reason: str
    raw: Any = field(repr=False)


@dataclass(slots=True)
class Page(Generic[T]):
    """One response of a paged method.

    Attributes:
        items: the items that parsed.
        rejected: the items that did not, each with its reason.
        requested: the maxSize asked for.
        received: how many items the server sent, good and bad.
        server_time: the tenant's clock, from the response's Date header.
    """

    items: list[T]
    rejected: list[RejectedItem]
    requested: int
    received: int
    server_time: datetime | None = None


@dataclass(frozen=True, slots=True)
class DncDeleteResult:
    """What donotcalllist/delete reports: records deleted and any errors."""

    deleted: int
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AddAllResult:
    """What callinglist/addAll reports: records added, and why others were not.

    ``was_resent`` is true when the request was sent again after its answer
    was lost: records it reports as duplicates may be the first attempt's.
    """

    added: int
    errors: tuple[str, ...] = ()
    was_resent: bool = False


# --- field readers ---------------------------------------------------------


# The warehouse stores counts and durations as 32-bit integers (PostgreSQL's
# integer), so a number outside that range is refused with the item.
_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1
_MAX_DIGITS = 20
# The longest campaign state the warehouse column holds.
_STATE_LENGTH = 64
_SHOWN_CHARACTERS = 60


def _shorten(value: Any) -> str:
    """The repr of a value, cut short so that a huge value makes a short reason."""
    text = repr(value)
    if len(text) <= _SHOWN_CHARACTERS:
        return text
    return f"{text[:_SHOWN_CHARACTERS]}... ({len(text)} characters)"


def _require_mapping(raw: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise ItemError(f"{what} is {type(raw).__name__}, not an object")
    return raw


def check_storable_text(text: str, what: str) -> None:
    """Refuses text that no warehouse can hold.

    PostgreSQL text cannot hold NUL, and a lone surrogate (which JSON can
    carry as an escape such as ``\\ud800``) cannot be encoded as UTF-8 for
    either database; refusing both everywhere keeps the warehouses alike.

    Raises:
        ItemError: the text holds a NUL character or a lone surrogate.
    """
    if "\x00" in text:
        raise ItemError(f"{what} contains a NUL character, which cannot be stored")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ItemError(
                f"{what} contains a lone surrogate, which cannot be stored"
            ) from None


def _read_str(raw: Mapping[str, Any], key: str, default: str | None = None) -> str:
    value = raw.get(key, default)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise ItemError(f"field {key!r} is {type(value).__name__}, not a string")
    if "\x00" in value or not value.isascii():
        # Only such text can fail the check; its message is built only then.
        check_storable_text(value, f"field {key!r}")
    return value


def _read_optional_str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ItemError(f"field {key!r} is {type(value).__name__}, not a string")
    if "\x00" in value or not value.isascii():
        # Only such text can fail the check; its message is built only then.
        check_storable_text(value, f"field {key!r}")
    return value


def _read_int(raw: Mapping[str, Any], key: str, default: int | None = None) -> int:
    value = raw.get(key)
    if value is None and default is not None:
        # An optional number sent as null means the same as one left out.
        return default
    if isinstance(value, bool) or value is None:
        raise ItemError(f"field {key!r} is missing or not a whole number")
    number: int | None = None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().removeprefix("-").isdecimal():
        # int() refuses strings of more than 4300 digits with a ValueError.
        number = int(value) if len(value) <= _MAX_DIGITS else None
    elif isinstance(value, int):
        number = value
    if number is None:
        raise ItemError(f"field {key!r} is {_shorten(value)}, not a whole number")
    if not _INT_MIN <= number <= _INT_MAX:
        raise ItemError(f"field {key!r} is {_shorten(value)}, out of range")
    return number


def _read_optional_int(raw: Mapping[str, Any], key: str) -> int | None:
    if raw.get(key) is None:
        return None
    return _read_int(raw, key)


def _read_bool(raw: Mapping[str, Any], key: str, default: bool | None = None) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        raise ItemError(f"field {key!r} is {value!r}, not true or false")
    return value


def _read_time(raw: Mapping[str, Any], key: str) -> datetime:
    value = raw.get(key)
    try:
        return parse_api_time(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError) as exc:
        # OverflowError: an offset that moves a time past year 1 or 9999.
        raise ItemError(
            f"field {key!r} is {_shorten(value)}, not an ISO 8601 time"
        ) from exc


def _read_optional_time(raw: Mapping[str, Any], key: str) -> datetime | None:
    if raw.get(key) is None:
        return None
    return _read_time(raw, key)


def parse_entry(raw: Any) -> Entry:
    """Reads a list entry: an object of scalar fields, names kept as sent."""
    entry = _require_mapping(raw, "entry")
    for name, value in entry.items():
        if not isinstance(name, str) or not name:
            raise ItemError("entry has an empty or non-string field name")
        if isinstance(value, dict | list):
            raise ItemError(f"entry field {name!r} is nested, not a scalar value")
        if isinstance(value, float) and not math.isfinite(value):
            raise ItemError(f"entry field {name!r} is {value!r}, not a finite number")
    return dict(entry)


# --- item parsers ----------------------------------------------------------


def parse_token(raw: Any) -> Token:
    """Reads a token response; ``expires_in`` arrives as a string."""
    body = _require_mapping(raw, "token response")
    token = _read_str(body, "access_token")
    if not token:
        raise ItemError("field 'access_token' is empty")
    return Token(
        access_token=token,
        token_type=_read_str(body, "token_type", "Bearer"),
        expires_in=_read_int(body, "expires_in", 3600),
        scope=_read_str(body, "scope", ""),
    )


def parse_campaign(raw: Any) -> Campaign:
    """Reads one item of campaign/getAll."""
    body = _require_mapping(raw, "campaign")
    name = _read_str(body, "name")
    if not name:
        raise ItemError("field 'name' is empty")
    lists = body.get("lists", [])
    if not isinstance(lists, list) or not all(
        isinstance(item, str) and item for item in lists
    ):
        raise ItemError("field 'lists' is not a list of names")
    for list_name in lists:
        check_storable_text(list_name, f"list name {_shorten(list_name)}")
    state = _read_str(body, "state", "")
    if len(state) > _STATE_LENGTH:
        raise ItemError(f"field 'state' is {_shorten(state)}, longer than a state")
    return Campaign(name=name, state=state, lists=tuple(lists))


def parse_status(raw: Any) -> RecordStatus:
    """Reads the ``status`` object of getAll, get and getCompleted."""
    body = _require_mapping(raw, "status")
    return RecordStatus(
        completed=_read_bool(body, "completed"),
        global_interaction_id=_read_optional_str(body, "globalInteractionID"),
        last_call_duration=_read_optional_int(body, "lastCallDuration"),
        last_disposition=_read_optional_str(body, "lastDisposition"),
        total_attempts=_read_optional_int(body, "totalAttempts"),
        last_agent=_read_optional_str(body, "lastAgent"),
        last_phone=_read_optional_str(body, "lastPhone"),
        last_date=_read_optional_time(body, "lastDate"),
    )


def parse_list_record(raw: Any) -> ListRecord:
    """Reads one item of getAll, or the body of get."""
    body = _require_mapping(raw, "record")
    index = _read_optional_int(body, "index")
    return ListRecord(
        entry=parse_entry(body.get("entry")),
        status=parse_status(body.get("status")),
        index=index,
        raw=body,
    )


def parse_completed_record(raw: Any) -> CompletedRecord:
    """Reads one item of getCompleted."""
    body = _require_mapping(raw, "record")
    return CompletedRecord(
        completed_time=_read_time(body, "completedTime"),
        entry=parse_entry(body.get("entry")),
        status=parse_status(body.get("status")),
        raw=body,
    )


def parse_attempt(raw: Any) -> CallAttempt:
    """Reads one item of a getChanged record's ``attempts``."""
    body = _require_mapping(raw, "attempt")
    return CallAttempt(
        date=_read_time(body, "date"),
        call_attempted=_read_bool(body, "call_attempted", False),
        disposition=_read_str(body, "disposition", ""),
        disposition_code=_read_str(body, "dispositionCode", ""),
        phone=_read_str(body, "phone", ""),
        call_duration=_read_int(body, "callDuration", 0),
        dialing_duration=_read_int(body, "dialingDuration", 0),
        cpa_duration=_read_int(body, "CPADuration", 0),
        call_notes=_read_str(body, "callNotes", ""),
        agent=_read_str(body, "agent", ""),
        global_interaction_id=_read_optional_str(body, "globalInteractionID") or None,
    )


def parse_changed_record(raw: Any) -> ChangedRecord:
    """Reads one item of getChanged."""
    body = _require_mapping(raw, "record")
    attempts = body.get("attempts", [])
    if not isinstance(attempts, list):
        raise ItemError("field 'attempts' is not a list")
    parsed = []
    for position, attempt in enumerate(attempts):
        try:
            parsed.append(parse_attempt(attempt))
        except ItemError as exc:
            raise ItemError(f"attempt {position}: {exc}") from exc
    return ChangedRecord(
        entry=parse_entry(body.get("entry")),
        completed=_read_bool(body, "completed"),
        record_disposition=_read_str(body, "recordDisposition", ""),
        record_disposition_code=_read_str(body, "recordDispositionCode", ""),
        total_attempts=_read_int(body, "totalAttempts", len(parsed)),
        attempts=tuple(parsed),
        raw=body,
    )


def parse_page(
    body: Any,
    parse_item: Callable[[Any], T],
    *,
    requested: int,
    server_time: datetime | None = None,
) -> Page[T]:
    """Parses a JSON array item by item, setting aside the items that fail.

    Raises:
        ItemError: the body itself is not a JSON array.
    """
    if not isinstance(body, list):
        raise ItemError(f"response is {type(body).__name__}, not an array")
    items: list[T] = []
    rejected: list[RejectedItem] = []
    for position, raw in enumerate(body):
        try:
            items.append(parse_item(raw))
        except ItemError as exc:
            rejected.append(RejectedItem(position=position, reason=str(exc), raw=raw))
    return Page(
        items=items,
        rejected=rejected,
        requested=requested,
        received=len(body),
        server_time=server_time,
    )
