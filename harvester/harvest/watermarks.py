"""The watermark rule, written once: where a poll starts and how far it moves.

A poll re-reads the lookback window behind the stored watermark, and every
write is an upsert, so re-reading is harmless and late activity (an attempt
that becomes visible after its own date) is still picked up. The watermark
moves only over stored items and never past the tenant's clock minus a safety
margin, so activity written while a page is read is not jumped over.

Re-reading is harmless but not free: every cycle parses the window again and
re-runs upserts that change nothing, which is most of an idle cycle's CPU
(docs/benchmarks.md). Items stored by an earlier cycle are not remembered
and skipped.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The first poll of a stream reads from here: before any BPCC release.
FIRST_POLL_FROM = datetime(2000, 1, 1, tzinfo=UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """An aware UTC datetime from a stored naive UTC one (or an aware one)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def poll_start(watermark: datetime | None, lookback_seconds: float) -> datetime:
    """The fromTime of a stream's first request: the watermark minus lookback."""
    stored = as_utc(watermark)
    if stored is None:
        return FIRST_POLL_FROM
    return max(FIRST_POLL_FROM, stored - timedelta(seconds=lookback_seconds))


def next_watermark(
    current: datetime | None,
    stored_up_to: datetime | None,
    tenant_now: datetime | None,
    safety_seconds: float,
) -> datetime | None:
    """The watermark after a page was stored.

    Args:
        current: the watermark before the page.
        stored_up_to: the latest time among the items the page stored.
        tenant_now: the tenant's clock when it answered (its Date header).
        safety_seconds: how far behind the tenant's clock the watermark stays.

    Returns:
        The new watermark, never earlier than ``current``.
    """
    current = as_utc(current)
    candidate = as_utc(stored_up_to)
    if candidate is None:
        return current
    tenant_now = as_utc(tenant_now)
    if tenant_now is not None:
        candidate = min(candidate, tenant_now - timedelta(seconds=safety_seconds))
    if current is not None and candidate < current:
        return current
    return candidate
