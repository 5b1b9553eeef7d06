"""A campaign's visible results on a list and their sorted indexes."""

from __future__ import annotations

import random

from harvester.simulator.catalog import find_disposition
from harvester.simulator.records import CallingList
from harvester.simulator.results import Attempt, ListResults

NO_ANSWER = find_disposition("No answer")
SOLD = find_disposition("Product sold")


def make_results(count: int) -> ListResults:
    calling_list = CallingList("list.csv")
    calling_list.load({"id": str(number)} for number in range(count))
    return ListResults("Campaign", calling_list)


def reveal(results, index, date_ms, disposition=NO_ANSWER, completes=False):
    results.reveal(Attempt(results, index, date_ms, disposition, completes))


def test_results_changed_since_is_inclusive_and_ordered():
    results = make_results(4)
    reveal(results, 0, 3000)
    reveal(results, 1, 1000)
    reveal(results, 2, 2000)
    reveal(results, 1, 4000)
    results.flush()

    page = results.changed_since(2000, 10)

    assert [record.index for record in page] == [2, 0, 1]
    assert [a.date_ms for a in results.records[1].attempts] == [1000, 4000]


def test_results_late_attempt_is_inserted_by_date():
    results = make_results(1)
    reveal(results, 0, 5000)
    reveal(results, 0, 1000)
    results.flush()

    assert [a.date_ms for a in results.records[0].attempts] == [1000, 5000]
    assert results.changed_since(5000, 10)[0].index == 0


def test_results_completed_since_orders_by_completion():
    results = make_results(3)
    reveal(results, 0, 5000, SOLD, completes=True)
    reveal(results, 1, 1000, SOLD, completes=True)
    reveal(results, 2, 3000)
    results.flush()

    assert [r.index for r in results.completed_since(0, 10)] == [1, 0]
    assert [r.index for r in results.completed_since(1001, 10)] == [0]


def test_results_rebuild_and_incremental_agree():
    rng = random.Random(5)
    events = [(rng.randrange(300), rng.randrange(10**6)) for _ in range(6000)]
    bulk = make_results(300)
    step = make_results(300)

    for index, date_ms in events:
        reveal(bulk, index, date_ms, completes=date_ms % 7 == 0)
    bulk.flush()
    for position, (index, date_ms) in enumerate(events):
        reveal(step, index, date_ms, completes=date_ms % 7 == 0)
        if position % 5 == 0:
            step.flush()
    step.flush()

    def keys(results, method):
        return [(r.index, r.last.date_ms) for r in getattr(results, method)(0, 1000)]

    assert keys(bulk, "changed_since") == keys(step, "changed_since")
    assert keys(bulk, "completed_since") == keys(step, "completed_since")


def test_results_reset_forgets_everything():
    results = make_results(2)
    reveal(results, 0, 1000)
    results.flush()
    results.calling_list.clear()

    results.reset()

    assert results.records == {}
    assert results.changed_since(0, 10) == []
    assert results.generation == 1
