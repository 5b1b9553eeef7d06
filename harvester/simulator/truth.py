"""Ground truth: what the tenant shows, in plain values for tests to compare.

It holds only visible state, the same the API serves, and uses the API's
values: "" where the API sends an empty string (a record disposition before
completion, the agent of an unanswered call, a missing code), None where the
API sends nothing (a missing interaction id, the completion time of an open
record). Attempts and results are named tuples: a benchmark tenant holds a
million attempts, and tuples are several times cheaper to build than frozen
dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from harvester.simulator.clock import from_ms
from harvester.simulator.records import Scalar
from harvester.simulator.results import Attempt, ListResults, RecordResult


class AttemptTruth(NamedTuple):
    """One visible call attempt."""

    campaign: str
    list_name: str
    record_key: str
    global_interaction_id: str | None
    date: datetime
    phone: str
    agent: str
    disposition: str
    disposition_code: str
    call_attempted: bool
    call_duration: int
    dialing_duration: int
    cpa_duration: int
    call_notes: str


class ResultTruth(NamedTuple):
    """The visible results of one record in one campaign."""

    completed: bool
    completed_at: datetime | None
    record_disposition: str
    record_disposition_code: str
    total_attempts: int
    last_attempt_at: datetime
    last_disposition: str
    last_agent: str
    last_phone: str
    last_call_duration: int
    global_interaction_id: str | None


@dataclass(frozen=True)
class GroundTruth:
    """Everything the tenant shows at one moment.

    Attributes:
        records: entries (lowercase field names) by (list name, record key).
        results: by (campaign, list name, record key), for every record with
            at least one visible attempt in that campaign.
        attempts: every visible attempt, by campaign, list, record index and
            date.
        taken_at: the tenant's clock when the truth was taken.
    """

    records: dict[tuple[str, str], dict[str, Scalar]]
    results: dict[tuple[str, str, str], ResultTruth]
    attempts: list[AttemptTruth]
    taken_at: datetime

    def summary(self) -> dict[str, int]:
        """Counts of records, results, completions and attempts."""
        return {
            "records": len(self.records),
            "results": len(self.results),
            "completed": sum(1 for item in self.results.values() if item.completed),
            "attempts": len(self.attempts),
            "interaction_ids_missing": sum(
                1 for item in self.attempts if item.global_interaction_id is None
            ),
        }


def build_truth(
    entries: dict[tuple[str, str], dict[str, Scalar]],
    links: Iterable[ListResults],
    taken_at_ms: int,
) -> GroundTruth:
    """Collects the visible results of every campaign on every list."""
    results: dict[tuple[str, str, str], ResultTruth] = {}
    attempts: list[AttemptTruth] = []
    for link in links:
        keys = link.calling_list.keys
        for record in link.visible():
            key = keys[record.index]
            results[(link.campaign, link.calling_list.name, key)] = _result(record)
            attempts.extend(
                _attempt(link.campaign, link.calling_list.name, key, attempt)
                for attempt in record.attempts
            )
    return GroundTruth(
        records=entries,
        results=results,
        attempts=attempts,
        taken_at=from_ms(taken_at_ms),
    )


def _result(record: RecordResult) -> ResultTruth:
    last = record.last
    completing = record.completing
    return ResultTruth(
        completed=completing is not None,
        completed_at=None if completing is None else from_ms(completing.date_ms),
        record_disposition="" if completing is None else completing.disposition.name,
        record_disposition_code=""
        if completing is None
        else completing.disposition.code,
        total_attempts=len(record.attempts),
        last_attempt_at=from_ms(last.date_ms),
        last_disposition=last.disposition.name,
        last_agent=last.agent,
        last_phone=last.phone,
        last_call_duration=last.call_duration,
        global_interaction_id=last.interaction_id,
    )


def _attempt(campaign: str, list_name: str, key: str, attempt: Attempt) -> AttemptTruth:
    return AttemptTruth(
        campaign=campaign,
        list_name=list_name,
        record_key=key,
        global_interaction_id=attempt.interaction_id,
        date=from_ms(attempt.date_ms),
        phone=attempt.phone,
        agent=attempt.agent,
        disposition=attempt.disposition.name,
        disposition_code=attempt.disposition.code,
        call_attempted=attempt.disposition.is_connected,
        call_duration=attempt.call_duration,
        dialing_duration=attempt.dialing_duration,
        cpa_duration=attempt.cpa_duration,
        call_notes=attempt.call_notes,
    )
