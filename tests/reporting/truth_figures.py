"""The figures each reporting view must show, computed in Python from the ground truth.

A second, independent reading of the view definitions: plain loops over the
simulator's visible state, so a mistake in a view's SQL shows up as a
difference here.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from harvester.simulator.truth import AttemptTruth, GroundTruth
from harvester.warehouse.flatten import field_text

Row = tuple[Any, ...]


def naive(moment: datetime | None) -> datetime | None:
    """A time as the views show it: naive UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def day_of(attempt: AttemptTruth) -> date:
    """The UTC day of an attempt."""
    return attempt.date.astimezone(UTC).date()


def harvested_records(truth: GroundTruth) -> dict[tuple[str, str], dict[str, Any]]:
    """Entries of the records a harvest of the streams stores: those with results."""
    keys = {(list_name, key) for _, list_name, key in truth.results}
    return {key: entry for key, entry in truth.records.items() if key in keys}


def list_records(truth: GroundTruth) -> list[Row]:
    """(list_name, record_key, entry as a dict)."""
    return sorted(
        (name, key, entry) for (name, key), entry in harvested_records(truth).items()
    )


def record_fields(truth: GroundTruth) -> list[Row]:
    """(list_name, record_key, field_name, field_value)."""
    return sorted(
        (list_name, key, name, field_text(value))
        for (list_name, key), entry in harvested_records(truth).items()
        for name, value in entry.items()
    )


def record_results(truth: GroundTruth) -> list[Row]:
    """Every column of record_results but updated_at."""
    return sorted(
        (
            campaign,
            list_name,
            key,
            result.completed,
            naive(result.completed_at),
            result.record_disposition,
            result.record_disposition_code,
            result.total_attempts,
            naive(result.last_attempt_at),
            result.last_disposition,
            result.last_agent,
            result.last_phone,
            result.last_call_duration,
        )
        for (campaign, list_name, key), result in truth.results.items()
    )


def call_attempts(truth: GroundTruth) -> list[Row]:
    """Every column of call_attempts but harvested_at."""
    return sorted(
        (
            (
                a.global_interaction_id,
                a.campaign,
                a.list_name,
                a.record_key,
                naive(a.date),
                a.phone,
                a.agent,
                a.disposition,
                a.disposition_code,
                a.call_attempted,
                a.call_duration,
                a.dialing_duration,
                a.cpa_duration,
                a.call_notes,
            )
            for a in truth.attempts
        ),
        key=repr,
    )


def _completions_by_day(truth: GroundTruth) -> Counter[tuple[str, date]]:
    return Counter(
        (campaign, result.completed_at.astimezone(UTC).date())
        for (campaign, _, _), result in truth.results.items()
        if result.completed and result.completed_at is not None
    )


def campaign_daily(truth: GroundTruth) -> list[Row]:
    """(campaign, day, attempts, records, completions, connects, talk)."""
    groups: dict[tuple[str, date], list[AttemptTruth]] = defaultdict(list)
    for attempt in truth.attempts:
        groups[attempt.campaign, day_of(attempt)].append(attempt)
    completions = _completions_by_day(truth)
    rows = []
    for campaign, day in sorted(set(groups) | set(completions)):
        attempts = groups.get((campaign, day), [])
        rows.append(
            (
                campaign,
                day,
                len(attempts),
                len({(a.list_name, a.record_key) for a in attempts}),
                completions.get((campaign, day), 0),
                sum(1 for a in attempts if a.call_duration > 0),
                sum(a.call_duration for a in attempts),
            )
        )
    return rows


def disposition_mix(truth: GroundTruth) -> list[Row]:
    """(campaign, disposition, attempts, share)."""
    counts = Counter((a.campaign, a.disposition) for a in truth.attempts)
    totals = Counter(a.campaign for a in truth.attempts)
    return sorted(
        (campaign, disposition, count, count / totals[campaign])
        for (campaign, disposition), count in counts.items()
    )


def agent_daily(truth: GroundTruth) -> list[Row]:
    """(agent, day, attempts, connects, talk, campaigns, records)."""
    groups: dict[tuple[str, date], list[AttemptTruth]] = defaultdict(list)
    for attempt in truth.attempts:
        if attempt.agent:
            groups[attempt.agent, day_of(attempt)].append(attempt)
    return [
        (
            agent,
            day,
            len(items),
            sum(1 for a in items if a.call_duration > 0),
            sum(a.call_duration for a in items),
            len({a.campaign for a in items}),
            len({(a.campaign, a.list_name, a.record_key) for a in items}),
        )
        for (agent, day), items in sorted(groups.items())
    ]


def attempts_per_completion(truth: GroundTruth) -> list[Row]:
    """(campaign, completions, attempts, avg, median, max)."""
    per_record = Counter(
        (a.campaign, a.list_name, a.record_key) for a in truth.attempts
    )
    needed: dict[str, list[int]] = defaultdict(list)
    for key, result in truth.results.items():
        if result.completed:
            needed[key[0]].append(per_record.get(key, 0))
    return [
        (
            campaign,
            len(counts),
            sum(counts),
            sum(counts) / len(counts),
            float(statistics.median(counts)),
            max(counts),
        )
        for campaign, counts in sorted(needed.items())
    ]


def contact_rate_by_hour(truth: GroundTruth) -> list[Row]:
    """(campaign, hour, attempts, connects, contact_rate)."""
    attempts = Counter(
        (a.campaign, a.date.astimezone(UTC).hour) for a in truth.attempts
    )
    connects = Counter(
        (a.campaign, a.date.astimezone(UTC).hour)
        for a in truth.attempts
        if a.call_duration > 0
    )
    return [
        (
            campaign,
            hour,
            count,
            connects[campaign, hour],
            connects[campaign, hour] / count,
        )
        for (campaign, hour), count in sorted(attempts.items())
    ]


def campaign_kpis(truth: GroundTruth, campaigns: Iterable[str]) -> list[Row]:
    """(campaign, attempts, records, completions, rate, connects, rate, talk)."""
    rows = []
    for campaign in sorted(campaigns):
        attempts = [a for a in truth.attempts if a.campaign == campaign]
        records = len({(a.list_name, a.record_key) for a in attempts})
        completions = sum(
            1 for (c, _, _), r in truth.results.items() if c == campaign and r.completed
        )
        connects = sum(1 for a in attempts if a.call_duration > 0)
        rows.append(
            (
                campaign,
                len(attempts),
                records,
                completions,
                completions / records if records else None,
                connects,
                connects / len(attempts) if attempts else None,
                sum(a.call_duration for a in attempts),
            )
        )
    return rows


def list_view(truth: GroundTruth, list_name: str) -> tuple[list[str], list[Row]]:
    """The columns and rows of a list's wide view."""
    entries = {
        key: entry
        for (name, key), entry in harvested_records(truth).items()
        if name == list_name
    }
    fields = sorted({name for entry in entries.values() for name in entry})
    rows = sorted(
        (key, *(field_text(entry.get(name)) for name in fields))
        for key, entry in entries.items()
    )
    return ["record_key", *fields], rows


def parsed_entries(rows: list[Row]) -> list[Row]:
    """list_records rows with the entry JSON parsed, to compare as dicts."""
    return [(list_name, key, json.loads(entry)) for list_name, key, entry in rows]
