"""The simulated clock's modes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from harvester.simulator import SimClock
from harvester.simulator.clock import from_ms, to_ms

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_clock_stepped_stands_still():
    clock = SimClock.stepped(START)

    time.sleep(0.01)

    assert clock.now() == START
    assert clock.is_stepped


def test_clock_advance_and_set_move_it():
    clock = SimClock.stepped(START)

    assert clock.advance(90.5) == START + timedelta(seconds=90.5)
    clock.set(START - timedelta(days=1))

    assert clock.now() == START - timedelta(days=1)


def test_clock_advance_backwards_is_refused():
    with pytest.raises(ValueError, match="cannot advance"):
        SimClock.stepped(START).advance(-1)


def test_clock_negative_speed_is_refused():
    with pytest.raises(ValueError, match="negative"):
        SimClock(START, speed=-1)


def test_clock_accelerated_runs_faster_than_real_time():
    clock = SimClock.accelerated(START, 1000)

    time.sleep(0.02)

    assert clock.now() >= START + timedelta(seconds=20)
    assert not clock.is_stepped


def test_clock_real_time_follows_wall_clock():
    clock = SimClock.real_time()

    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=1)
    assert clock.speed == 1.0


def test_clock_naive_start_is_utc():
    clock = SimClock.stepped(datetime(2026, 1, 5, 8, 0))

    assert clock.now() == START


@pytest.mark.parametrize(
    "value",
    [
        START,
        datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC),
        START.replace(microsecond=123000),
    ],
)
def test_clock_milliseconds_round_trip(value):
    assert from_ms(to_ms(value)) == value
