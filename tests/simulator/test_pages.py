"""Paging semantics of getAll, getCompleted and getChanged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harvester.simulator import SimulatorConfig, SimulatorServer
from harvester.timeutil import format_api_time
from tests.fixtures.simulator import MakeSimulator
from tests.simulator.conftest import CAMPAIGN, LIST
from tests.simulator.support import Api


def ids(items):
    return [item["entry"]["id"] for item in items]


def test_changed_sorted_by_latest_attempt(quiet: SimulatorServer, api: Api):
    start = quiet.clock.now() - timedelta(minutes=1)
    tenant = quiet.tenant
    tenant.inject_attempts(CAMPAIGN, LIST, ["1", "2", "3"], start)
    tenant.inject_attempts(CAMPAIGN, LIST, ["1"], start + timedelta(seconds=20))
    tenant.inject_attempts(CAMPAIGN, LIST, ["2"], start + timedelta(seconds=10))

    items = api.changed(LIST, CAMPAIGN).json()

    assert ids(items) == ["3", "2", "1"]
    dates = [attempt["date"] for attempt in items[2]["attempts"]]
    assert dates == sorted(dates)
    assert items[2]["totalAttempts"] == 2


def test_changed_from_time_is_inclusive(quiet: SimulatorServer, api: Api):
    at = quiet.clock.now() - timedelta(seconds=1)
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["1"], at)
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["2"], at + timedelta(milliseconds=1))

    same = api.changed(LIST, CAMPAIGN, format_api_time(at)).json()
    later = api.changed(LIST, CAMPAIGN, format_api_time(at + timedelta(milliseconds=1)))

    assert ids(same) == ["1", "2"]
    assert ids(later.json()) == ["2"]


def test_changed_record_carries_attempts_before_from_time(
    quiet: SimulatorServer, api: Api
):
    at = quiet.clock.now()
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["1"], at - timedelta(hours=1))
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["1"], at)

    (item,) = api.changed(LIST, CAMPAIGN, format_api_time(at)).json()

    assert len(item["attempts"]) == 2


def test_changed_ties_are_ordered_by_index(quiet: SimulatorServer, api: Api):
    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["4", "2", "5"], quiet.clock.now())

    assert ids(api.changed(LIST, CAMPAIGN, size=2).json()) == ["2", "4"]


def test_changed_attempt_hidden_until_visibility_delay(
    quiet: SimulatorServer, api: Api
):
    quiet.tenant.inject_attempts(
        CAMPAIGN, LIST, ["1"], quiet.clock.now(), visibility_delay_seconds=60
    )

    before = api.changed(LIST, CAMPAIGN).json()
    quiet.clock.advance(59.999)
    still_before = api.changed(LIST, CAMPAIGN).json()
    quiet.clock.advance(0.001)
    after = api.changed(LIST, CAMPAIGN).json()

    assert before == still_before == []
    assert ids(after) == ["1"]
    assert api.all(LIST, CAMPAIGN).json()[0]["status"]["totalAttempts"] == 1


def test_completed_sorted_by_completion_time(quiet: SimulatorServer, api: Api):
    at = quiet.clock.now()
    tenant = quiet.tenant
    tenant.inject_attempts(CAMPAIGN, LIST, ["3"], at, disposition="Not interested")
    tenant.inject_attempts(CAMPAIGN, LIST, ["1"], at, disposition="No answer")
    earlier = at - timedelta(minutes=5)
    tenant.inject_attempts(CAMPAIGN, LIST, ["2"], earlier, disposition="Product sold")

    items = api.completed(LIST, CAMPAIGN).json()
    inclusive = api.completed(LIST, CAMPAIGN, format_api_time(at)).json()

    assert ids(items) == ["2", "3"]
    assert items[0]["completedTime"] == format_api_time(earlier)
    assert ids(inclusive) == ["3"]


def test_completed_by_max_attempts_uses_last_disposition(
    quiet: SimulatorServer, api: Api
):
    at = quiet.clock.now()

    quiet.tenant.inject_attempts(CAMPAIGN, LIST, ["1"], at, completes=True)

    (item,) = api.completed(LIST, CAMPAIGN).json()
    (changed,) = api.changed(LIST, CAMPAIGN).json()
    assert item["status"]["lastDisposition"] == "No answer"
    assert changed["recordDisposition"] == "No answer"
    assert changed["completed"] is True


@pytest.mark.parametrize("size", [1001, "5000", 10**9])
def test_page_size_is_capped_at_1000(make_simulator: MakeSimulator, size):
    server = make_simulator(
        SimulatorConfig(campaigns=1, shared_lists=0, records_per_list=1005)
    )
    list_name = server.tenant.campaigns["Spring Renewals"].links[0].calling_list.name
    keys = [str(number) for number in range(1, 1006)]
    server.tenant.inject_attempts(
        "Spring Renewals", list_name, keys, server.clock.now()
    )
    api = Api(server)

    assert len(api.all(list_name, "Spring Renewals", 0, size).json()) == 1000
    assert len(api.changed(list_name, "Spring Renewals", size=size).json()) == 1000


def test_changed_missing_interaction_id_omits_member(quiet: SimulatorServer, api: Api):
    quiet.tenant.inject_attempts(
        CAMPAIGN, LIST, ["1"], quiet.clock.now(), has_interaction_id=False
    )

    (item,) = api.changed(LIST, CAMPAIGN).json()
    status = api.all(LIST, CAMPAIGN, 0, 1).json()[0]["status"]

    assert "globalInteractionID" not in item["attempts"][0]
    assert "globalInteractionID" not in status
