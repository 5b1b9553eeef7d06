"""Tests of the watermark rule: where a poll starts and how far it moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from harvester.harvest.watermarks import (
    FIRST_POLL_FROM,
    as_utc,
    next_watermark,
    poll_start,
)

PLUS_FOUR = timezone(timedelta(hours=4))


def utc(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 1, 5, hour, minute, second, tzinfo=UTC)


def test_poll_start_no_watermark_gives_first_poll_from():
    assert poll_start(None, 900) == datetime(2000, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("watermark", "lookback", "expected"),
    [
        (utc(8, 15), 900, utc(8, 0)),
        (utc(8, 15), 0, utc(8, 15)),
        (utc(8, 15), 0.5, datetime(2026, 1, 5, 8, 14, 59, 500000, tzinfo=UTC)),
        (datetime(2026, 1, 5, 8, 15), 900, utc(8, 0)),
        (datetime(2026, 1, 5, 12, 15, tzinfo=PLUS_FOUR), 900, utc(8, 0)),
    ],
)
def test_poll_start_watermark_minus_lookback(watermark, lookback, expected):
    start = poll_start(watermark, lookback)

    assert start == expected
    assert start.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "watermark",
    [
        datetime(2000, 1, 1, 0, 5, tzinfo=UTC),
        datetime(2000, 1, 1, 0, 5),
        datetime(1999, 6, 1, tzinfo=UTC),
    ],
)
def test_poll_start_before_floor_gives_first_poll_from(watermark):
    assert poll_start(watermark, 900) == FIRST_POLL_FROM


def test_poll_start_naive_watermark_read_as_utc():
    naive = datetime(2026, 1, 5, 8, 15)

    assert poll_start(naive, 60) == poll_start(naive.replace(tzinfo=UTC), 60)
    assert poll_start(naive, 60).tzinfo is not None


@pytest.mark.parametrize(
    ("current", "stored_up_to", "tenant_now", "expected"),
    [
        (utc(8), utc(8, 30), utc(9), utc(8, 30)),
        (None, utc(8, 30), utc(9), utc(8, 30)),
        (utc(8), utc(8), utc(9), utc(8)),
        (utc(8), utc(7, 59), utc(9), utc(8)),
        (utc(8), utc(6), utc(9), utc(8)),
        (utc(8), utc(8, 30), utc(8, 30), utc(8, 29, 55)),
        (utc(8), utc(9), utc(8, 30), utc(8, 29, 55)),
        (None, utc(9), utc(8, 30), utc(8, 29, 55)),
        (utc(8), utc(8, 30), utc(8, 0, 3), utc(8)),
        (utc(8), None, utc(9), utc(8)),
        (None, None, utc(9), None),
        (utc(8), utc(8, 30), None, utc(8, 30)),
        (None, utc(12), None, utc(12)),
    ],
)
def test_next_watermark_table_gives_expected(
    current, stored_up_to, tenant_now, expected
):
    assert next_watermark(current, stored_up_to, tenant_now, 5) == expected


@pytest.mark.parametrize(
    ("current", "stored_up_to", "tenant_now", "expected"),
    [
        (datetime(2026, 1, 5, 8), utc(8, 30), utc(9), utc(8, 30)),
        (utc(8), datetime(2026, 1, 5, 8, 30), utc(9), utc(8, 30)),
        (utc(8), utc(9), datetime(2026, 1, 5, 8, 30), utc(8, 29, 55)),
        (datetime(2026, 1, 5, 8, 45), utc(8, 30), utc(9), utc(8, 45)),
        (
            datetime(2026, 1, 5, 12, tzinfo=PLUS_FOUR),
            datetime(2026, 1, 5, 12, 30, tzinfo=PLUS_FOUR),
            utc(9),
            utc(8, 30),
        ),
    ],
)
def test_next_watermark_naive_values_read_as_utc(
    current, stored_up_to, tenant_now, expected
):
    result = next_watermark(current, stored_up_to, tenant_now, 5)

    assert result == expected
    assert result is not None
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize("safety", [0, 5, 60, 3600])
def test_next_watermark_never_passes_tenant_clock_minus_safety(safety):
    tenant_now = utc(9)

    result = next_watermark(utc(7), utc(10), tenant_now, safety)

    assert result == tenant_now - timedelta(seconds=safety)


def test_next_watermark_repeated_pages_never_move_backwards():
    watermark = None
    history = []
    for stored_up_to in (utc(8, 10), utc(8, 5), None, utc(8, 20), utc(8, 1)):
        watermark = next_watermark(watermark, stored_up_to, utc(9), 5)
        history.append(watermark)

    assert history == [utc(8, 10), utc(8, 10), utc(8, 10), utc(8, 20), utc(8, 20)]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (datetime(2026, 1, 5, 8), utc(8)),
        (utc(8), utc(8)),
        (datetime(2026, 1, 5, 12, tzinfo=PLUS_FOUR), utc(8)),
    ],
)
def test_as_utc_any_value_gives_aware_utc(value, expected):
    result = as_utc(value)

    assert result == expected
    assert result is None or result.tzinfo == UTC
