"""The JSON the API sends for records, statuses and attempts.

Pages are built from string fragments rather than from dictionaries passed to
``json.dumps``: entries are rendered once per change (see ``CallingList``),
dispositions once per process, so a 1000-record page costs a few
milliseconds. Member order follows the API collection's saved examples.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable

from harvester.simulator.catalog import json_str
from harvester.simulator.records import CallingList
from harvester.simulator.results import Attempt, RecordResult

NEVER_CALLED = '{"completed":false}'


def format_ms(ms: int) -> str:
    """An API time: UTC, milliseconds, no zone ("2021-02-19T19:12:37.000")."""
    seconds, millis = divmod(ms, 1000)
    return _format_seconds(seconds) + f".{millis:03d}"


@functools.lru_cache(maxsize=1 << 16)
def _format_seconds(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def attempt_json(attempt: Attempt) -> str:
    """One item of a getChanged record's ``attempts``."""
    interaction = attempt.interaction_id
    return (
        f"{{{attempt.disposition.head_json},"
        f'"date":"{format_ms(attempt.date_ms)}",'
        f'"phone":{json_str(attempt.phone)},'
        f'"callDuration":{attempt.call_duration},'
        f'"dialingDuration":{attempt.dialing_duration},'
        f'"callNotes":{json_str(attempt.call_notes)},'
        f'"agent":{json_str(attempt.agent)},'
        + ("" if interaction is None else f'"globalInteractionID":"{interaction}",')
        + f'"CPADuration":{attempt.cpa_duration}}}'
    )


def status_json(record: RecordResult | None) -> str:
    """The ``status`` object; a record never called has only ``completed``."""
    if record is None:
        return NEVER_CALLED
    last = record.last
    interaction = last.interaction_id
    return (
        "{"
        + ("" if interaction is None else f'"globalInteractionID":"{interaction}",')
        + f'"lastCallDuration":{last.call_duration},'
        f'"lastDisposition":{json_str(last.disposition.name)},'
        f'"totalAttempts":{len(record.attempts)},'
        f'"completed":{"true" if record.is_completed else "false"},'
        f'"lastAgent":{json_str(last.agent)},'
        f'"lastPhone":{json_str(last.phone)},'
        f'"lastDate":"{format_ms(last.date_ms)}"}}'
    )


def changed_item(calling_list: CallingList, record: RecordResult) -> str:
    """One item of getChanged: the entry, the outcome and every attempt."""
    completing = record.completing
    disposition = "" if completing is None else completing.disposition.name
    code = "" if completing is None else completing.disposition.code
    attempts = ",".join(attempt_json(attempt) for attempt in record.attempts)
    return (
        f'{{"entry":{calling_list.entry_json(record.index)},'
        f'"completed":{"false" if completing is None else "true"},'
        f'"recordDisposition":{json_str(disposition)},'
        f'"recordDispositionCode":{json_str(code)},'
        f'"totalAttempts":{len(record.attempts)},'
        f'"attempts":[{attempts}]}}'
    )


def indexed_item(
    calling_list: CallingList, index: int, record: RecordResult | None
) -> str:
    """One item of getAll: the entry, its index and its status."""
    return (
        f'{{"entry":{calling_list.entry_json(index)},'
        f'"index":{index},'
        f'"status":{status_json(record)}}}'
    )


def completed_item(calling_list: CallingList, record: RecordResult) -> str:
    """One item of getCompleted: completion time, entry and status."""
    completing = record.completing
    if completing is None:
        raise ValueError(f"record {record.index} is not completed")
    return (
        f'{{"completedTime":"{format_ms(completing.date_ms)}",'
        f'"entry":{calling_list.entry_json(record.index)},'
        f'"status":{status_json(record)}}}'
    )


def record_item(
    calling_list: CallingList, index: int, record: RecordResult | None
) -> str:
    """The body of get: the entry and its status."""
    return (
        f'{{"entry":{calling_list.entry_json(index)},"status":{status_json(record)}}}'
    )


def join_page(fragments: Iterable[str]) -> bytes:
    """A JSON array of already rendered items, encoded as UTF-8."""
    return ("[" + ",".join(fragments) + "]").encode()
