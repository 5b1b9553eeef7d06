"""The daemon's schedule: the APScheduler set-up and the rules of when to harvest.

Campaign jobs never overlap (max_instances=1); runs missed while one was
still going collapse into one (coalesce); and a run may start up to one
interval late (misfire_grace_time) rather than be dropped. Jitter keeps
campaigns and replicas from firing in step.

A campaign whose harvest keeps failing waits longer before each new try,
doubling from one interval up to a cap, and is back on its normal interval
after its first success. A campaign is healthy while its last successful
harvest is recent enough; a freshly started daemon gets one allowance of
grace, so a start is not reported as an outage.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, JobSubmissionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from harvester.defaults import DEFAULT_INTERVAL_JITTER_SECONDS
from harvester.warehouse.status import StreamStatus

logger = logging.getLogger(__name__)

# Discovery runs on an executor of its own, so busy campaigns never delay it.
DISCOVERY_EXECUTOR = "discovery"


class _SkippedRunFilter(logging.Filter):
    """Drops APScheduler's warning for a run skipped while the last one goes on.

    With max_instances=1 a skipped run is the intended behaviour, not a
    problem; it is logged at DEBUG instead.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in str(record.msg)


def _log_skipped_run(event: JobSubmissionEvent) -> None:
    logger.debug("run skipped; the previous one is still going job=%s", event.job_id)


def build_scheduler(workers: int, interval_seconds: int) -> BackgroundScheduler:
    """The daemon's scheduler: ``workers`` campaign threads and one for discovery."""
    scheduler_logger = logging.getLogger("apscheduler.scheduler.harvester")
    if not scheduler_logger.filters:
        scheduler_logger.addFilter(_SkippedRunFilter())
    scheduler = BackgroundScheduler(
        executors={
            "default": ThreadPoolExecutor(max_workers=workers),
            DISCOVERY_EXECUTOR: ThreadPoolExecutor(max_workers=1),
        },
        job_defaults={
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": max(1, interval_seconds),
        },
        timezone=UTC,
        logger=scheduler_logger,
    )
    scheduler.add_listener(_log_skipped_run, EVENT_JOB_MAX_INSTANCES)
    return scheduler


def campaign_trigger(interval_seconds: int) -> IntervalTrigger:
    """Every interval, give or take a jitter of at most a quarter of it."""
    jitter = min(DEFAULT_INTERVAL_JITTER_SECONDS, interval_seconds / 4)
    return IntervalTrigger(seconds=interval_seconds, jitter=jitter)


@dataclass
class CampaignHealth:
    """The recent outcomes of one campaign's harvests (or of discovery) here."""

    consecutive_failures: int = 0
    failing_since: datetime | None = None
    last_failure_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None

    def note_success(self, now: datetime) -> None:
        """Records a successful harvest, ending any backoff."""
        self.consecutive_failures = 0
        self.failing_since = None
        self.last_success_at = now
        self.last_error = None

    def note_failure(self, now: datetime, error: str) -> None:
        """Records a failed harvest, lengthening the backoff."""
        if self.consecutive_failures == 0:
            self.failing_since = now
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


def is_discovery_healthy(
    health: CampaignHealth, started_at: datetime, now: datetime, allowed_seconds: float
) -> bool:
    """Whether discovery works: it has not been failing for longer than allowed.

    Discovery runs seldom, so the age of its last success says little; what
    matters is that it succeeded once since the start, and that a run of
    failures has not lasted beyond the allowance.
    """
    allowed = timedelta(seconds=allowed_seconds)
    if health.last_success_at is None:
        return now - started_at <= allowed
    if health.failing_since is None:
        return True
    return now - health.failing_since <= allowed


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


@dataclass(frozen=True)
class CampaignStanding:
    """Where a campaign stands in the warehouse, over its current lists' streams.

    Attributes:
        lag_seconds: now minus the oldest watermark; None before any.
        last_success_at: when every stream last succeeded (aware UTC).
        last_error: the latest error noted on one of its streams, if any.
    """

    lag_seconds: float | None
    last_success_at: datetime | None
    last_error: str | None


def standing_of(
    rows: Iterable[StreamStatus],
    lists: Collection[str],
    streams_per_list: int,
    now: datetime,
) -> CampaignStanding:
    """A campaign's standing from its stream rows (as `read_status` returns them).

    Rows of lists the campaign no longer names are left out, so that an old
    list cannot hold the campaign's figures back.
    """
    own = [row for row in rows if row.list_name in lists]
    naive_now = now.astimezone(UTC).replace(tzinfo=None)
    lags = [lag for row in own if (lag := row.lag_seconds(naive_now)) is not None]
    expected = len(lists) * streams_per_list
    success = campaign_success((row.last_success_at for row in own), expected)
    return CampaignStanding(
        lag_seconds=max(lags, default=None),
        last_success_at=success.replace(tzinfo=UTC) if success else None,
        last_error=next((row.last_error for row in own if row.last_error), None),
    )
