"""Reading and writing the API's time format: UTC ISO 8601 with milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime

# The API sends and expects "2021-02-19T19:12:37.000": UTC, milliseconds, no
# zone. Some BPCC releases append an offset such as "+0400"; fromisoformat
# reads both forms.


def parse_api_time(text: str) -> datetime:
    """Parses an API time into an aware UTC datetime.

    Raises:
        ValueError: the text is not an ISO 8601 time.
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"time {text!r} is not an ISO 8601 string")
    value = datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def format_api_time(value: datetime) -> str:
    """Formats a datetime the way the API expects: UTC, milliseconds, no zone."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}"


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
