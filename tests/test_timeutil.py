"""Tests of the API time format: parsing to aware UTC, formatting back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from harvester.timeutil import format_api_time, parse_api_time, utcnow

PLUS_FOUR = timezone(timedelta(hours=4))
MINUS_SEVEN = timezone(timedelta(hours=-7))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-02-19T19:12:37.000", datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)),
        ("2021-02-19T19:12:37.456", datetime(2021, 2, 19, 19, 12, 37, 456000, UTC)),
        ("2021-02-19T19:12:37", datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)),
        ("2021-02-19T19:12:37.000Z", datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)),
        ("2021-02-19T19:12:37Z", datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)),
        ("2021-02-19T19:12:37.000+0400", datetime(2021, 2, 19, 15, 12, 37, tzinfo=UTC)),
        (
            "2021-02-19T19:12:37.000+04:00",
            datetime(2021, 2, 19, 15, 12, 37, tzinfo=UTC),
        ),
        ("2021-02-19T19:12:37.000-0700", datetime(2021, 2, 20, 2, 12, 37, tzinfo=UTC)),
        ("2021-02-19T02:00:00.000+0400", datetime(2021, 2, 18, 22, 0, 0, tzinfo=UTC)),
        (" 2021-02-19T19:12:37.000 ", datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC)),
    ],
)
def test_parse_api_time_valid_text_gives_aware_utc(text, expected):
    parsed = parse_api_time(text)

    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


def test_parse_api_time_offset_keeps_wall_clock_in_utc():
    parsed = parse_api_time("2021-02-19T19:12:37.000+0400")

    assert (parsed.hour, parsed.minute, parsed.second) == (15, 12, 37)
    assert parsed.tzinfo == UTC


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "is not an ISO 8601 string"),
        ("   ", "Invalid isoformat"),
        ("not a time", "Invalid isoformat"),
        ("2021-02-30T00:00:00.000", "day is out of range"),
        ("2021-13-01T00:00:00.000", "month must be in"),
        ("2021-02-19T25:00:00.000", "hour must be in"),
        ("2021-02-19T19:12:37.000+25:00", "offset must be"),
        ("19:12:37", "Invalid isoformat"),
        ("2021/02/19 19:12:37", "Invalid isoformat"),
    ],
)
def test_parse_api_time_bad_text_raises_value_error(text, match):
    with pytest.raises(ValueError, match=match):
        parse_api_time(text)


@pytest.mark.parametrize("value", [None, 1613762357, 1613762357.0, b"2021-02-19"])
def test_parse_api_time_not_a_string_raises_value_error(value):
    with pytest.raises(ValueError, match="is not an ISO 8601 string"):
        parse_api_time(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2021, 2, 19, 19, 12, 37, tzinfo=UTC), "2021-02-19T19:12:37.000"),
        (datetime(2021, 2, 19, 19, 12, 37), "2021-02-19T19:12:37.000"),
        (
            datetime(2021, 2, 19, 23, 12, 37, tzinfo=PLUS_FOUR),
            "2021-02-19T19:12:37.000",
        ),
        (
            datetime(2021, 2, 19, 20, 0, 0, tzinfo=MINUS_SEVEN),
            "2021-02-20T03:00:00.000",
        ),
        (datetime(2021, 2, 19, 19, 12, 37, 456789, UTC), "2021-02-19T19:12:37.456"),
        (datetime(2021, 2, 19, 19, 12, 37, 999999, UTC), "2021-02-19T19:12:37.999"),
        (datetime(2021, 2, 19, 19, 12, 37, 5000, UTC), "2021-02-19T19:12:37.005"),
    ],
)
def test_format_api_time_any_datetime_gives_utc_millis(value, expected):
    assert format_api_time(value) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-19T19:12:37.000",
        "2021-02-19T19:12:37.456",
        "2026-01-05T08:00:00.001",
        "2000-01-01T00:00:00.000",
    ],
)
def test_format_api_time_parsed_text_round_trips(text):
    assert format_api_time(parse_api_time(text)) == text


def test_format_api_time_offset_text_round_trips_to_utc():
    parsed = parse_api_time("2021-02-19T19:12:37.120+0400")

    assert format_api_time(parsed) == "2021-02-19T15:12:37.120"
    assert parse_api_time(format_api_time(parsed)) == parsed


def test_utcnow_called_gives_aware_utc_now():
    before = datetime.now(UTC)

    now = utcnow()

    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)
