"""The daemon's pure rules: when a campaign is due and whether it is healthy.

A campaign whose harvest keeps failing waits longer before each new try,
doubling from one interval up to a cap, and is back on its normal interval
after its first success. A campaign is healthy while its last successful
harvest is recent enough; a freshly started daemon gets one allowance of
grace, so a start is not reported as an outage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class CampaignHealth:
    """The recent outcomes of one campaign's harvests (or of discovery) here."""

    consecutive_failures: int = 0
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None

    def note_success(self, now: datetime) -> None:
        """Records a successful harvest, ending any backoff."""
        self.consecutive_failures = 0
        self.last_success_at = now
        self.last_error = None

    def note_failure(self, now: datetime, error: str) -> None:
        """Records a failed harvest, lengthening the backoff."""
        self.consecutive_failures += 1
        self.last_failure_at = now
        self.last_error = error


def backoff_seconds(failures: int, interval: float, cap: float) -> float:
    """How long to wait after ``failures`` failures in a row (0 means no wait).

    The first failure waits one interval, as if nothing failed; each further
    failure doubles the wait, never beyond ``cap``.
    """
    if failures <= 0:
        return 0.0
    # Capping the exponent first keeps a months-long outage from overflowing.
    doubled = interval * 2 ** min(failures - 1, 62)
    return float(min(cap, doubled))


def is_due(health: CampaignHealth, now: datetime, interval: float, cap: float) -> bool:
    """Whether a campaign's scheduled run should harvest or keep backing off.

    The scheduler fires once per interval, with jitter, so a run within half
    an interval of the end of the wait counts as due: otherwise jitter alone
    could cost a whole extra interval.
    """
    if health.consecutive_failures == 0 or health.last_failure_at is None:
        return True
    wait = backoff_seconds(health.consecutive_failures, interval, cap)
    return now >= health.last_failure_at + timedelta(seconds=wait - interval / 2)


def is_healthy(
    last_success_at: datetime | None,
    started_at: datetime,
    now: datetime,
    allowed_seconds: float,
) -> bool:
    """Whether a campaign had a successful harvest recently enough.

    The allowance counts from the last success, or from the daemon's start
    when that is later (or there was no success yet): a restarted daemon is
    not unhealthy for a success it had no chance to make.
    """
    reference = started_at
    if last_success_at is not None and last_success_at > started_at:
        reference = last_success_at
    return now - reference <= timedelta(seconds=allowed_seconds)


def campaign_success(
    successes: Iterable[datetime | None], expected_streams: int
) -> datetime | None:
    """When every stream of a campaign last succeeded: the oldest stream success.

    Args:
        successes: the last success of each stream the warehouse holds.
        expected_streams: how many streams the campaign has (lists times two);
            a stream not yet stored, or never successful, means no success.
    """
    values = list(successes)
    if not values or len(values) < expected_streams or None in values:
        return None
    return min(value for value in values if value is not None)
