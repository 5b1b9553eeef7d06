"""Paging by index and by time: boundaries, ties, caps, disorder, stuck pages."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses

from harvester.api.models import (
    CompletedRecord,
    ListRecord,
    Page,
    RecordStatus,
    RejectedItem,
    parse_changed_record,
    parse_completed_record,
    parse_page,
)
from harvester.api.paging import (
    iter_changed_pages,
    iter_completed_pages,
    iter_list_pages,
    iter_time_pages,
    next_index,
)
from harvester.errors import UnpageableError
from harvester.timeutil import format_api_time
from tests.api.conftest import API

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def completed(key: str, seconds: float) -> dict[str, Any]:
    return {
        "completedTime": format_api_time(at(seconds)),
        "entry": {"id": key},
        "status": {"completed": True},
    }


class TimeStream:
    """Serves getCompleted-like pages: inclusive fromTime, sorted, capped."""

    def __init__(self, items: list[dict[str, Any]], cap: int = 1000) -> None:
        self.items = items
        self.cap = cap
        self.asked: list[tuple[datetime, int]] = []
        self.shuffle_pages: set[int] = set()

    def fetch(self, from_time: datetime, size: int) -> Page[CompletedRecord]:
        self.asked.append((from_time, size))
        chosen = sorted(
            (item for item in self.items if self.time(item) >= from_time),
            key=self.time,
        )[: min(size, self.cap)]
        if len(self.asked) in self.shuffle_pages:
            chosen = list(reversed(chosen))
        return parse_page(chosen, parse_completed_record, requested=size)

    @staticmethod
    def time(item: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(item["completedTime"]).replace(tzinfo=UTC)


def completed_time(record: CompletedRecord) -> datetime:
    return record.completed_time


def keys_of(pages) -> list[str]:
    return [str(item.entry["id"]) for page in pages for item in page.new_items]


def test_iter_time_pages_ties_at_page_edges_pass_each_once():
    seconds = [0, 1, 1, 1, 2, 2, 3, 3, 3, 4]
    stream = TimeStream([completed(f"r{n}", s) for n, s in enumerate(seconds)])

    pages = list(iter_time_pages(stream.fetch, at(0), 4, completed_time))

    assert sorted(keys_of(pages)) == sorted(f"r{n}" for n in range(10))
    assert len(keys_of(pages)) == 10
    assert [asked for asked, _ in stream.asked] == [at(0), at(1), at(2), at(3), at(4)]
    assert [page.max_time for page in pages] == [at(1), at(2), at(3), at(4)]


def test_iter_time_pages_stops_when_page_brings_nothing_new():
    stream = TimeStream([completed("a", 0), completed("b", 5)])

    pages = list(iter_time_pages(stream.fetch, at(0), 100, completed_time))

    assert keys_of(pages) == ["a", "b"]
    assert len(stream.asked) == 2


def test_iter_time_pages_empty_stream_yields_nothing():
    stream = TimeStream([])

    assert list(iter_time_pages(stream.fetch, at(0), 100, completed_time)) == []


def test_iter_time_pages_full_page_of_one_time_yields_then_raises():
    stream = TimeStream([completed("a", 0)] + [completed(f"t{n}", 7) for n in range(5)])
    pages: list[Any] = []
    expected = (
        r"^A full page of 3 items of list='l' shares the time '2026-01-05T08:00:07"
    )

    with pytest.raises(UnpageableError, match=expected) as caught:
        pages.extend(
            iter_time_pages(stream.fetch, at(0), 3, completed_time, label="list='l'")
        )

    assert caught.value.stuck_at == at(7)
    assert keys_of(pages) == ["a", "t0", "t1", "t2"]


def test_iter_time_pages_full_size_is_capped_at_api_maximum():
    stream = TimeStream([completed(f"t{n}", 7) for n in range(1001)])
    pages: list[Any] = []

    with pytest.raises(UnpageableError):
        pages.extend(iter_time_pages(stream.fetch, at(0), 5000, completed_time))

    assert len(pages[0].new_items) == 1000
    assert stream.asked == [(at(0), 5000)]


def test_iter_time_pages_unsorted_page_is_flagged_and_complete(caplog):
    stream = TimeStream([completed(f"r{n}", n) for n in range(6)])
    stream.shuffle_pages = {1}

    pages = list(iter_time_pages(stream.fetch, at(0), 4, completed_time, label="x=1"))

    assert [page.is_sorted for page in pages] == [False, True]
    assert sorted(keys_of(pages)) == [f"r{n}" for n in range(6)]
    assert (
        "Page not sorted by time x=1 from_time=2026-01-05 08:00:00+00:00" in caplog.text
    )


def test_iter_time_pages_changed_boundary_item_passes_again():
    stream = TimeStream([completed("a", 0), completed("b", 1)])
    pages = iter_time_pages(stream.fetch, at(0), 100, completed_time)

    first = next(pages)
    stream.items[1] = {**completed("b", 1), "entry": {"id": "b", "status": "Gold"}}
    second = next(pages)

    assert keys_of([first]) == ["a", "b"]
    assert [item.entry for item in second.new_items] == [{"id": "b", "status": "Gold"}]
    assert list(pages) == []


def test_iter_time_pages_rejected_items_pass_once():
    bad = {"completedTime": format_api_time(at(1)), "entry": {"id": "x"}}
    stream = TimeStream([completed("a", 0), bad, completed("b", 1)])

    pages = list(iter_time_pages(stream.fetch, at(0), 100, completed_time))

    rejected = [r for page in pages for r in page.new_rejected]
    assert [r.raw for r in rejected] == [bad]
    assert "status" in rejected[0].reason


def test_iter_time_pages_full_page_without_times_raises_at_from_time():
    def fetch(from_time, size):
        return Page(
            items=[],
            rejected=[RejectedItem(0, "bad", {"n": n}) for n in range(3)],
            requested=size,
            received=3,
        )

    with pytest.raises(UnpageableError) as caught:
        list(iter_time_pages(fetch, at(9), 3, completed_time))

    assert caught.value.stuck_at == at(9)


def changed(key: str, *seconds: float) -> dict[str, Any]:
    attempts = [
        {"date": format_api_time(at(s)), "disposition": "Busy", "phone": "1"}
        for s in seconds
    ]
    return {"entry": {"id": key}, "completed": False, "attempts": attempts}


def test_iter_time_pages_items_without_time_do_not_move_it():
    raws = [changed("a", 5), changed("quiet"), changed("b", 9)]
    asked = []

    def fetch(from_time, size):
        asked.append(from_time)
        page = parse_page(raws, parse_changed_record, requested=size)
        chosen = [
            raw
            for raw, record in zip(raws, page.items, strict=True)
            if record.activity_time is None or record.activity_time >= from_time
        ]
        return parse_page(chosen, parse_changed_record, requested=size)

    pages = list(iter_time_pages(fetch, at(0), 100, lambda r: r.activity_time))

    assert keys_of(pages) == ["a", "quiet", "b"]
    assert asked == [at(0), at(9)]


def test_iter_completed_pages_reads_stream_through_client(stub, client):
    url = f"{API}/callinglist/getCompleted/my%20list/camp"
    items = [completed(f"r{n}", n // 2) for n in range(7)]

    def serve(request):
        body = json.loads(request.body)
        start = datetime.fromisoformat(body["fromTime"]).replace(tzinfo=UTC)
        chosen = [i for i in items if TimeStream.time(i) >= start][: body["maxSize"]]
        return 200, {}, json.dumps(chosen)

    stub.add_callback(responses.POST, url, callback=serve)

    pages = list(iter_completed_pages(client, "my list", "camp", at(0), page_size=3))

    assert sorted(keys_of(pages)) == sorted(f"r{n}" for n in range(7))


def test_iter_changed_pages_orders_by_latest_attempt(stub, client):
    url = f"{API}/callinglist/getChanged/l/c"
    stub.post(url, json=[changed("a", 1, 4), changed("b", 2, 6)])
    stub.post(url, json=[changed("b", 2, 6)])

    pages = list(iter_changed_pages(client, "l", "c", at(0)))

    assert keys_of(pages) == ["a", "b"]
    assert pages[0].max_time == at(6)
    sent = [json.loads(c.request.body)["fromTime"] for c in stub.calls[1:]]
    assert sent == [format_api_time(at(0)), format_api_time(at(6))]


def get_all_server(stub, records: int, cap: int):
    asked = []

    def serve(request):
        body = json.loads(request.body)
        start, size = body["fromIndex"], min(body["maxSize"], cap)
        asked.append(start)
        chosen = [
            {"entry": {"id": str(n)}, "index": n, "status": {"completed": False}}
            for n in range(start, min(start + size, records))
        ]
        return 200, {}, json.dumps(chosen)

    stub.add_callback(responses.POST, f"{API}/callinglist/getAll/l/c", callback=serve)
    return asked


def test_iter_list_pages_short_pages_continue_until_empty(stub, client):
    asked = get_all_server(stub, records=23, cap=7)

    pages = list(iter_list_pages(client, "l", "c", page_size=10))

    assert [len(page.items) for page in pages] == [7, 7, 7, 2]
    assert [r.index for page in pages for r in page.items] == list(range(23))
    assert asked == [0, 7, 14, 21, 23]


def test_iter_list_pages_starts_at_from_index(stub, client):
    asked = get_all_server(stub, records=5, cap=1000)

    pages = list(iter_list_pages(client, "l", "c", page_size=1000, from_index=3))

    assert [r.index for page in pages for r in page.items] == [3, 4]
    assert asked == [3, 5]


def list_record(index: int | None) -> ListRecord:
    return ListRecord(entry={}, status=RecordStatus(False), index=index, raw={})


@pytest.mark.parametrize(
    ("indexes", "rejected_raw", "from_index", "expected"),
    [
        ([4, 5], [], 4, 6),
        ([4], [{"index": 9}], 4, 10),
        ([None, None], [], 4, 6),
        ([], [{"index": "7"}], 4, 5),
        ([1], [], 4, 5),
    ],
)
def test_next_index_follows_last_index(indexes, rejected_raw, from_index, expected):
    items = [list_record(index) for index in indexes]
    rejected = [RejectedItem(0, "bad", raw) for raw in rejected_raw]
    page = Page(items, rejected, requested=10, received=len(items) + len(rejected))

    assert next_index(page, from_index) == expected


def test_iter_time_pages_random_ties_are_complete():
    rng = random.Random(7)
    seconds = sorted(rng.choice(range(10)) for _ in range(60))
    stream = TimeStream([completed(f"r{n}", s) for n, s in enumerate(seconds)])

    pages = list(iter_time_pages(stream.fetch, at(0), 25, completed_time))

    assert sorted(keys_of(pages)) == sorted(f"r{n}" for n in range(60))
