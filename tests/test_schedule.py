"""Tests of the daemon's rules: backoff, when a campaign is due, health, standing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from harvester.schedule import (
    CampaignHealth,
    backoff_seconds,
    campaign_success,
    campaign_trigger,
    is_discovery_healthy,
    is_due,
    is_healthy,
    standing_of,
)
from harvester.warehouse.status import StreamStatus

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
INTERVAL = 60
CAP = 1800


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def failing(failures: int, last_failure_at: datetime = T0) -> CampaignHealth:
    health = CampaignHealth()
    for _ in range(failures):
        health.note_failure(last_failure_at, "tenant unreachable")
    return health


def row(list_name="list.csv", stream="completed", **changes) -> StreamStatus:
    values = {
        "campaign": "Sales",
        "list_name": list_name,
        "stream": stream,
        "is_enabled": True,
        "watermark": None,
        "last_success_at": None,
        "last_error": None,
        "last_error_at": None,
    }
    return StreamStatus(**(values | changes))


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (-1, 0.0),
        (0, 0.0),
        (1, 60.0),
        (2, 120.0),
        (3, 240.0),
        (5, 960.0),
        (6, 1800.0),
        (7, 1800.0),
        (10_000, 1800.0),
    ],
)
def test_backoff_seconds_failures_doubles_to_cap(failures, expected):
    assert backoff_seconds(failures, INTERVAL, CAP) == expected


def test_backoff_seconds_interval_above_cap_waits_cap():
    assert backoff_seconds(1, 3600, CAP) == CAP


def test_is_due_no_failures_always_due():
    assert is_due(CampaignHealth(), T0, INTERVAL, CAP)


@pytest.mark.parametrize(
    ("failures", "elapsed", "expected"),
    [
        # The first failure waits one interval: the next run goes, even early.
        (1, 45, True),
        (1, 25, False),
        # The second waits two intervals: the run one interval later skips.
        (2, 60, False),
        (2, 100, True),
        (2, 120, True),
        (3, 180, False),
        (3, 240, True),
        # The cap holds however long the failures went on.
        (50, 1700, False),
        (50, 1800, True),
    ],
)
def test_is_due_after_failures_backs_off(failures, elapsed, expected):
    assert is_due(failing(failures), at(elapsed), INTERVAL, CAP) is expected


def test_is_due_success_after_failures_recovers():
    health = failing(6)
    assert not is_due(health, at(INTERVAL), INTERVAL, CAP)

    health.note_success(at(INTERVAL))

    assert is_due(health, at(INTERVAL), INTERVAL, CAP)
    assert health.consecutive_failures == 0
    assert health.failing_since is None
    assert health.last_error is None


def test_campaign_health_failures_keep_first_failure_time():
    health = CampaignHealth()
    health.note_failure(at(0), "first")
    health.note_failure(at(60), "second")

    assert health.failing_since == at(0)
    assert health.last_failure_at == at(60)
    assert health.last_error == "second"


@pytest.mark.parametrize(
    ("last_success", "now", "expected"),
    [
        # Within the allowance of the last success.
        (10, 100, True),
        (10, 190, True),
        (10, 191, False),
        # No success yet: the daemon's start counts, so a fresh start is fine.
        (None, 180, True),
        (None, 181, False),
    ],
)
def test_is_healthy_last_success_within_allowance(last_success, now, expected):
    success = None if last_success is None else at(last_success)
    assert is_healthy(success, T0, at(now), 180) is expected


def test_is_healthy_old_success_before_restart_gets_grace():
    restarted_at = at(10_000)
    old_success = at(0)

    assert is_healthy(old_success, restarted_at, at(10_100), 180)
    assert not is_healthy(old_success, restarted_at, at(10_200), 180)


@pytest.mark.parametrize(
    ("failures", "successes", "now", "expected"),
    [
        # Never succeeded: healthy only while the daemon is young.
        (0, 0, 100, True),
        (3, 0, 100, True),
        (3, 0, 200, False),
        # Succeeded once: a run of failures is fine until the allowance.
        (0, 1, 10_000, True),
        (2, 1, 1000 + 180, True),
        (2, 1, 1000 + 181, False),
    ],
)
def test_is_discovery_healthy_failing_too_long_unhealthy(
    failures, successes, now, expected
):
    health = CampaignHealth()
    if successes:
        health.note_success(at(500))
    for _ in range(failures):
        health.note_failure(at(1000) if successes else at(10), "refused")

    assert is_discovery_healthy(health, T0, at(now), 180) is expected


@pytest.mark.parametrize(
    ("successes", "expected_streams", "expected"),
    [
        ([at(5), at(3), at(9)], 3, at(3)),
        ([at(5), None], 2, None),
        ([at(5)], 2, None),
        ([], 2, None),
        ([], 0, None),
    ],
)
def test_campaign_success_oldest_stream_counts(successes, expected_streams, expected):
    assert campaign_success(successes, expected_streams) == expected


def test_standing_of_rows_gives_lag_success_and_error():
    naive = at(0).replace(tzinfo=None)
    rows = [
        row("a", "completed", watermark=naive, last_success_at=naive),
        row(
            "a",
            "changed",
            watermark=naive + timedelta(seconds=30),
            last_success_at=naive + timedelta(seconds=40),
            last_error="API method 'x' answered 503",
        ),
        row("old list", "completed", watermark=naive - timedelta(days=9)),
    ]

    standing = standing_of(rows, ["a"], 2, at(100))

    # The old list is no longer the campaign's, so its watermark is left out.
    assert standing.lag_seconds == 100
    assert standing.last_success_at == at(0)
    assert standing.last_error == "API method 'x' answered 503"


def test_standing_of_no_rows_knows_nothing():
    standing = standing_of([], ["a"], 2, at(100))

    assert standing.lag_seconds is None
    assert standing.last_success_at is None
    assert standing.last_error is None


@pytest.mark.parametrize(
    ("interval", "jitter"),
    [(1, 0.25), (8, 2), (60, 5), (3600, 5)],
)
def test_campaign_trigger_interval_jitter_bounded(interval, jitter):
    trigger = campaign_trigger(interval)

    assert trigger.interval == timedelta(seconds=interval)
    assert trigger.jitter == jitter
