"""Reading a paged API method to its end: by index for getAll, by time otherwise."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from harvester import defaults
from harvester.api.models import (
    ChangedRecord,
    CompletedRecord,
    ListRecord,
    Page,
    RejectedItem,
)
from harvester.errors import UnpageableError

if TYPE_CHECKING:
    from harvester.api.client import BpccClient

logger = logging.getLogger(__name__)


class HasRaw(Protocol):
    """An item that keeps the JSON object it was parsed from."""

    @property
    def raw(self) -> Mapping[str, Any]: ...


ItemT = TypeVar("ItemT", bound=HasRaw)
# An item's identity for passing it on once: its time and its whole content.
ItemKey = tuple[datetime | None, str]


@dataclass(slots=True)
class TimePage(Generic[ItemT]):
    """One page of a time-paged method, with what is new in it.

    Attributes:
        page: the page as the API sent it.
        from_time: the ``fromTime`` it was asked with.
        new_items: the items not passed on before, in the page's order.
        new_rejected: the rejected items not passed on before.
        is_sorted: whether the items came in time order, as documented.
        max_time: the latest item time of the page; the next ``fromTime``.
    """

    page: Page[ItemT]
    from_time: datetime
    new_items: list[ItemT] = field(default_factory=list)
    new_rejected: list[RejectedItem] = field(default_factory=list)
    is_sorted: bool = True
    max_time: datetime | None = None


def iter_list_pages(
    client: BpccClient,
    list_name: str,
    campaign: str,
    page_size: int = defaults.DEFAULT_PAGE_SIZE,
    from_index: int = 0,
) -> Iterator[Page[ListRecord]]:
    """Reads a list with getAll from ``from_index`` until an empty page.

    A page shorter than asked does not mark the end: the server may serve less
    than maxSize (it caps it at 1000), so only an empty page ends the read.
    """
    while True:
        page = client.get_all_records(
            list_name, campaign, from_index=from_index, max_size=page_size
        )
        if page.received == 0:
            return
        yield page
        from_index = next_index(page, from_index)


def next_index(page: Page[ListRecord], from_index: int) -> int:
    """The ``fromIndex`` after a page: one past its highest index.

    Rejected items count where their raw index is readable; a page with no
    readable index moves on by the number of items received.
    """
    indexes = [item.index for item in page.items if item.index is not None]
    for rejected in page.rejected:
        raw_index = (
            rejected.raw.get("index") if isinstance(rejected.raw, dict) else None
        )
        if isinstance(raw_index, int) and not isinstance(raw_index, bool):
            indexes.append(raw_index)
    if not indexes:
        return from_index + page.received
    return max(max(indexes) + 1, from_index + 1)


def iter_time_pages(
    fetch: Callable[[datetime, int], Page[ItemT]],
    from_time: datetime,
    page_size: int,
    time_of: Callable[[ItemT], datetime | None],
    *,
    label: str = "",
) -> Iterator[TimePage[ItemT]]:
    """Reads a time-paged method from ``from_time`` until nothing new comes.

    ``fromTime`` is inclusive, so the items at a page's latest time come
    again at the top of the next page; each is passed on once (an item whose
    content changed since counts as new). The next ``fromTime`` is the page's
    latest time. Items without a time are passed on but do not move it.

    Args:
        fetch: asks for one page: ``fetch(from_time, page_size)``.
        from_time: where to start, inclusive.
        page_size: the maxSize to ask for.
        time_of: the time the method orders its items by.
        label: names the list, campaign and stream in logs and errors.

    Raises:
        UnpageableError: a full page whose items share one time; it is
            yielded first, then this is raised, since asking again from that
            time would return the same page.
    """
    full_size = min(page_size, defaults.API_MAX_PAGE_SIZE)
    seen: set[ItemKey] = set()
    seen_rejected: set[str] = set()
    while True:
        page = fetch(from_time, page_size)
        result, times = _sift(page, from_time, time_of, seen, seen_rejected)
        is_stuck = page.received >= full_size and len(times) <= 1
        if not (result.new_items or result.new_rejected or is_stuck):
            return

        if not result.is_sorted:
            logger.warning("Page not sorted by time %s from_time=%s", label, from_time)
        yield result

        if is_stuck:
            raise _unpageable(page.received, next(iter(times), from_time), label)
        if result.max_time is not None and result.max_time > from_time:
            from_time = result.max_time
            seen = {key for key in seen if key[0] is None or key[0] >= from_time}


def _sift(
    page: Page[ItemT],
    from_time: datetime,
    time_of: Callable[[ItemT], datetime | None],
    seen: set[ItemKey],
    seen_rejected: set[str],
) -> tuple[TimePage[ItemT], set[datetime]]:
    """Splits a page into new and already passed items, and notes its order.

    ``seen`` and ``seen_rejected`` are updated with this page's items, as far
    as later pages can meet them again. Returns the page and its item times.

    An item's key holds a canonical dump of the whole item, which costs more
    than parsing it, so it is made only where it can decide something: for
    items no later than the latest time in ``seen``, for items equal to an
    earlier item of the page, and for the items ``seen`` keeps for the next
    page (see ``_remember``). An item dated after everything in ``seen`` is
    new without it.
    """
    result: TimePage[ItemT] = TimePage(page=page, from_time=from_time)
    latest_seen = max((key[0] for key in seen if key[0] is not None), default=None)
    ties: dict[datetime, _Ties] = {}
    times: set[datetime] = set()
    previous: datetime | None = None
    for item in page.items:
        item_time = time_of(item)
        if item_time is not None and (latest_seen is None or item_time > latest_seen):
            is_new = ties.setdefault(item_time, _Ties()).admit(item.raw)
        else:
            key = (item_time, _canonical(item.raw))
            is_new = key not in seen
            seen.add(key)
        if is_new:
            result.new_items.append(item)
        if item_time is None:
            continue
        times.add(item_time)
        if previous is not None and item_time < previous:
            result.is_sorted = False
        previous = item_time
        result.max_time = max(result.max_time or item_time, item_time)

    _remember(seen, ties, from_time, result.max_time)
    for rejected in page.rejected:
        text = _canonical(rejected.raw)
        if text not in seen_rejected:
            seen_rejected.add(text)
            result.new_rejected.append(rejected)
    return result, times


# Items of a page sharing one time are compared with == until this many; a
# larger tie is compared by canonical key, so a page of one time stays linear.
_TIE_SCAN_LIMIT = 8


@dataclass(slots=True)
class _Ties:
    """The distinct items of a page at one time not compared by key yet."""

    raws: list[Any] = field(default_factory=list)
    keys: set[str] | None = None

    def admit(self, raw: Any) -> bool:
        """Adds an item; False when an earlier item of the tie is the same."""
        if self.keys is None and len(self.raws) >= _TIE_SCAN_LIMIT:
            self.keys = {_canonical(other) for other in self.raws}
        if self.keys is not None:
            key = _canonical(raw)
            if key in self.keys:
                return False
            self.keys.add(key)
        elif any(
            other == raw and _canonical(other) == _canonical(raw) for other in self.raws
        ):
            # Equal as Python values may still differ as JSON (1 and 1.0).
            return False
        self.raws.append(raw)
        return True


def _remember(
    seen: set[ItemKey],
    ties: dict[datetime, _Ties],
    from_time: datetime,
    max_time: datetime | None,
) -> None:
    """Adds the keys of tied items that ``seen`` keeps past this page.

    The caller moves ``fromTime`` to the page's latest time when it is later
    and drops the keys dated before it; those are never made here.
    """
    keep_from = max_time if max_time is not None and max_time > from_time else None
    for item_time, tie in ties.items():
        if keep_from is not None and item_time < keep_from:
            continue
        keys = tie.keys if tie.keys is not None else map(_canonical, tie.raws)
        seen.update((item_time, key) for key in keys)


def _unpageable(received: int, stuck_at: datetime, label: str) -> UnpageableError:
    return UnpageableError(
        f"A full page of {received} items of {label} shares the time "
        f"'{stuck_at.isoformat()}'; paging by time cannot pass it, so read the "
        "list by index instead (harvester reconcile)",
        stuck_at=stuck_at,
    )


# Built once: json.dumps builds a new encoder per call when given options.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _canonical(raw: Any) -> str:
    return _CANONICAL.encode(raw)


def iter_completed_pages(
    client: BpccClient,
    list_name: str,
    campaign: str,
    from_time: datetime,
    page_size: int = defaults.DEFAULT_PAGE_SIZE,
) -> Iterator[TimePage[CompletedRecord]]:
    """Reads getCompleted from ``from_time``; items are ordered by completion."""

    def fetch(start: datetime, size: int) -> Page[CompletedRecord]:
        return client.get_completed_records(list_name, campaign, start, size)

    label = f"list='{list_name}' campaign='{campaign}' stream=completed"
    return iter_time_pages(fetch, from_time, page_size, _completed_time_of, label=label)


def iter_changed_pages(
    client: BpccClient,
    list_name: str,
    campaign: str,
    from_time: datetime,
    page_size: int = defaults.DEFAULT_PAGE_SIZE,
) -> Iterator[TimePage[ChangedRecord]]:
    """Reads getChanged from ``from_time``; items are ordered by latest attempt."""

    def fetch(start: datetime, size: int) -> Page[ChangedRecord]:
        return client.get_changed_records(list_name, campaign, start, size)

    label = f"list='{list_name}' campaign='{campaign}' stream=changed"
    return iter_time_pages(fetch, from_time, page_size, _activity_time_of, label=label)


def _completed_time_of(record: CompletedRecord) -> datetime | None:
    return record.completed_time


def _activity_time_of(record: ChangedRecord) -> datetime | None:
    return record.activity_time
