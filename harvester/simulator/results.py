"""A campaign's results on one calling list: visible attempts and their indexes.

Only attempts that became visible are here. Two sorted indexes serve the
paged methods without scanning: one keyed by (activity time, record index)
for getChanged, one by (completion time, record index) for getCompleted.
Each key packs both parts into one integer, ``time_ms << 32 | index``, which
sorts the same way and compares faster than a tuple.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from sortedcontainers import SortedList  # type: ignore[import-untyped]

from harvester.simulator.catalog import Disposition
from harvester.simulator.records import CallingList

_SHIFT = 32
_INDEX_MASK = (1 << _SHIFT) - 1

# A flush touching more than this share of a list's results rebuilds the
# indexes in one sort instead of moving each key (history generation).
_REBUILD_SHARE = 8
_REBUILD_MINIMUM = 2048


class Attempt:
    """One call attempt of one record in one campaign."""

    __slots__ = (
        "agent",
        "call_duration",
        "call_notes",
        "completes",
        "cpa_duration",
        "date_ms",
        "dialing_duration",
        "disposition",
        "generation",
        "index",
        "interaction_id",
        "phone",
        "results",
    )

    def __init__(
        self,
        results: ListResults,
        index: int,
        date_ms: int,
        disposition: Disposition,
        completes: bool,
    ) -> None:
        self.results = results
        self.index = index
        self.generation = results.generation
        self.date_ms = date_ms
        self.disposition = disposition
        self.completes = completes
        self.agent = ""
        self.phone = ""
        self.call_duration = 0
        self.dialing_duration = 0
        self.cpa_duration = 0
        self.call_notes = ""
        self.interaction_id: str | None = None


class RecordResult:
    """The visible results of one record in one campaign."""

    __slots__ = ("attempts", "completing", "index", "indexed_activity", "indexed_done")

    def __init__(self, index: int) -> None:
        self.index = index
        self.attempts: list[Attempt] = []
        self.completing: Attempt | None = None
        self.indexed_activity: int | None = None
        self.indexed_done: int | None = None

    @property
    def last(self) -> Attempt:
        """The latest visible attempt."""
        return self.attempts[-1]

    @property
    def is_completed(self) -> bool:
        """Whether a visible attempt completed the record."""
        return self.completing is not None

    def activity_key(self) -> int:
        """The getChanged index key: latest attempt date, then record index."""
        return self.attempts[-1].date_ms << _SHIFT | self.index

    def done_key(self) -> int | None:
        """The getCompleted index key, or None while not completed."""
        if self.completing is None:
            return None
        return self.completing.date_ms << _SHIFT | self.index


class ListResults:
    """One campaign's results on one calling list, and its dialing progress.

    Attributes:
        campaign: the campaign's name.
        calling_list: the list whose records are dialed.
        records: visible results by record index.
        made: attempts the dialer made per record index, visible or not.
        done: 1 per record index the dialer will not dial again.
        cursor: the next record index never dialed.
    """

    def __init__(self, campaign: str, calling_list: CallingList) -> None:
        self.campaign = campaign
        self.calling_list = calling_list
        self.generation = calling_list.generation
        self.records: dict[int, RecordResult] = {}
        self.made = bytearray()
        self.done = bytearray()
        self.cursor = 0
        self._changed: SortedList = SortedList()
        self._completed: SortedList = SortedList()
        self._dirty: set[int] = set()

    def reset(self) -> None:
        """Forgets every result, after the list was emptied."""
        self.generation = self.calling_list.generation
        self.records = {}
        self.made = bytearray()
        self.done = bytearray()
        self.cursor = 0
        self._changed = SortedList()
        self._completed = SortedList()
        self._dirty = set()

    def reserve(self, index: int) -> None:
        """Makes room in the dialing counters for record ``index``."""
        missing = index + 1 - len(self.made)
        if missing > 0:
            self.made.extend(bytes(missing))
            self.done.extend(bytes(missing))

    def reveal(self, attempt: Attempt) -> None:
        """Makes an attempt visible; ``flush`` then updates the indexes."""
        record = self.records.get(attempt.index)
        if record is None:
            record = self.records[attempt.index] = RecordResult(attempt.index)
        attempts = record.attempts
        if not attempts or attempts[-1].date_ms <= attempt.date_ms:
            attempts.append(attempt)
        else:
            position = len(attempts)
            while position > 0 and attempts[position - 1].date_ms > attempt.date_ms:
                position -= 1
            attempts.insert(position, attempt)
        # The earliest completing attempt wins, whatever order they are
        # revealed in, so a record's state never depends on reveal order.
        completing = record.completing
        if attempt.completes and (
            completing is None or attempt.date_ms < completing.date_ms
        ):
            record.completing = attempt
        self._dirty.add(attempt.index)

    def flush(self) -> None:
        """Brings the sorted indexes up to date with the revealed attempts."""
        if not self._dirty:
            return
        if len(self._dirty) * _REBUILD_SHARE > max(len(self.records), _REBUILD_MINIMUM):
            self._rebuild()
        else:
            for index in self._dirty:
                self._move(self.records[index])
        self._dirty = set()

    def changed_since(self, from_ms: int, limit: int) -> list[RecordResult]:
        """Records whose latest visible attempt is at or after ``from_ms``."""
        keys = self._changed.irange(minimum=from_ms << _SHIFT)
        return [self.records[key & _INDEX_MASK] for key in islice(keys, limit)]

    def completed_since(self, from_ms: int, limit: int) -> list[RecordResult]:
        """Records completed at or after ``from_ms``, by completion time."""
        keys = self._completed.irange(minimum=from_ms << _SHIFT)
        return [self.records[key & _INDEX_MASK] for key in islice(keys, limit)]

    def visible(self) -> Iterator[RecordResult]:
        """Every record with a visible attempt, by record index."""
        for index in sorted(self.records):
            yield self.records[index]

    def _move(self, record: RecordResult) -> None:
        activity = record.activity_key()
        if activity != record.indexed_activity:
            if record.indexed_activity is not None:
                self._changed.remove(record.indexed_activity)
            self._changed.add(activity)
            record.indexed_activity = activity
        done = record.done_key()
        if done != record.indexed_done:
            if record.indexed_done is not None:
                self._completed.remove(record.indexed_done)
            if done is not None:
                self._completed.add(done)
            record.indexed_done = done

    def _rebuild(self) -> None:
        changed = []
        completed = []
        for record in self.records.values():
            record.indexed_activity = record.activity_key()
            record.indexed_done = record.done_key()
            changed.append(record.indexed_activity)
            if record.indexed_done is not None:
                completed.append(record.indexed_done)
        self._changed = SortedList(changed)
        self._completed = SortedList(completed)
