"""Prometheus metrics of harvesting, served by the daemon's /metrics."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram

from harvester.errors import ApiError

HARVEST_RUNS = Counter(
    "harvester_harvest_runs",
    "Harvests of one campaign, by outcome (success or failure)",
    ["outcome"],
)
DISCOVERY_RUNS = Counter(
    "harvester_discovery_runs",
    "Discoveries of the enabled campaigns, by outcome (success or failure)",
    ["outcome"],
)
RECORDS_STORED = Counter(
    "harvester_records_stored", "Records first stored in the warehouse"
)
ATTEMPTS_STORED = Counter(
    "harvester_attempts_stored", "Call attempts first stored in the warehouse"
)
REJECTED_ITEMS = Counter(
    "harvester_rejected_items", "Items set aside because of their shape"
)
PAGES = Counter("harvester_pages", "Pages read and stored", ["stream"])
PAGE_SECONDS = Histogram(
    "harvester_page_seconds",
    "Time to read and store one page",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
API_ERRORS = Counter(
    "harvester_api_errors",
    "API calls that failed after the client's own retries, by the HTTP status "
    "of the last answer (none when no answer arrived)",
    ["status"],
)
CAMPAIGN_LAG = Gauge(
    "harvester_campaign_lag_seconds",
    "Now minus the oldest watermark of the campaign",
    ["campaign"],
)
CAMPAIGN_LAST_SUCCESS = Gauge(
    "harvester_campaign_last_success_timestamp_seconds",
    "Unix time when every stream of the campaign last harvested successfully",
    ["campaign"],
)
CAMPAIGN_FAILURES = Gauge(
    "harvester_campaign_consecutive_failures",
    "Failed harvests of the campaign in a row in this daemon (backoff grows)",
    ["campaign"],
)
_CAMPAIGN_GAUGES = (CAMPAIGN_LAG, CAMPAIGN_LAST_SUCCESS, CAMPAIGN_FAILURES)


def status_label(status: int | None) -> str:
    """The ``status`` label of an API error: the HTTP status, or ``none``."""
    return "none" if status is None else str(status)


def count_api_error(exc: ApiError) -> None:
    """Counts an API call that failed for good, by its last HTTP status."""
    API_ERRORS.labels(status_label(exc.status)).inc()


def observe_campaign(
    name: str, lag_seconds: float | None, last_success_at: datetime | None
) -> None:
    """Sets a campaign's lag and last success time, where known."""
    if lag_seconds is not None:
        CAMPAIGN_LAG.labels(name).set(lag_seconds)
    if last_success_at is not None:
        CAMPAIGN_LAST_SUCCESS.labels(name).set(last_success_at.timestamp())


def forget_campaign(name: str) -> None:
    """Drops the series of a campaign that is no longer enabled."""
    for gauge in _CAMPAIGN_GAUGES:
        # A series never set raises KeyError: there is nothing to drop then.
        with suppress(KeyError):
            gauge.remove(name)
