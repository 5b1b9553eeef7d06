"""Fault injection: every kind is injected, counted and leaves data intact."""

from __future__ import annotations

import json
import time

import pytest
import requests

from harvester.simulator import FaultConfig, SimulatorConfig, SimulatorServer
from harvester.simulator.config import FAULT_KINDS
from harvester.simulator.faults import FaultInjector
from tests.fixtures.simulator import MakeSimulator
from tests.simulator.support import Api, fetch_token, first_link


@pytest.fixture
def faulty(make_simulator: MakeSimulator) -> SimulatorServer:
    """A small tenant with data whose faults a test switches on after login."""
    config = SimulatorConfig(
        campaigns=1,
        shared_lists=0,
        records_per_list=30,
        dial_rate_per_second=0.5,
        history_seconds=3600,
        visibility_delay_seconds=(0, 0),
    )
    return make_simulator(config)


def test_faults_none_by_default(faulty: SimulatorServer):
    api = Api(faulty)
    for _ in range(5):
        assert api.campaigns().status_code == 200

    assert faulty.fault_counts() == dict.fromkeys(FAULT_KINDS, 0)


def test_faults_server_errors_are_5xx(faulty: SimulatorServer):
    api = Api(faulty)
    faulty.faults.error_rate = 1.0

    statuses = {api.campaigns().status_code for _ in range(30)}
    token = fetch_token(faulty)

    assert statuses == {500, 502, 503}
    assert token.status_code in {500, 502, 503}
    assert faulty.fault_counts()["server_error"] == 31


def test_faults_rate_limit_sends_retry_after(faulty: SimulatorServer):
    api = Api(faulty)
    faulty.faults.rate_limit_rate = 1.0
    faulty.faults.retry_after_seconds = 7

    response = api.campaigns()

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert faulty.fault_counts()["rate_limit"] == 1


@pytest.mark.parametrize("latency", [0.2, (0.2, 0.25)])
def test_faults_latency_delays_answers(faulty: SimulatorServer, latency):
    api = Api(faulty)
    faulty.faults.latency_seconds = latency

    started = time.monotonic()
    response = api.campaigns()

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.2
    assert faulty.fault_counts()["latency"] == 1


def test_faults_short_token_lifetime_forces_401(faulty: SimulatorServer):
    faulty.faults.token_lifetime_seconds = 0.3
    api = Api(faulty)
    assert api.campaigns().status_code == 200

    time.sleep(0.35)
    response = api.campaigns()

    assert response.status_code == 401
    assert faulty.fault_counts()["expired_token"] == 1
    assert fetch_token(faulty).json()["expires_in"] == "3600"


def test_faults_announced_expiry_is_configurable(faulty: SimulatorServer):
    faulty.faults.announced_expires_in = 60

    assert fetch_token(faulty).json()["expires_in"] == "60"


def test_faults_truncate_read_answers_only(faulty: SimulatorServer):
    list_name, campaign = first_link(faulty)
    api = Api(faulty)
    faulty.faults.truncate_rate = 1.0

    page = api.changed(list_name, campaign)
    added = api.post("callinglist/addAll", list_name, json=[{"id": "x1"}])
    token = fetch_token(faulty)

    assert page.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        page.json()
    assert added.json() == {"added": 1}
    assert "access_token" in token.json()
    assert faulty.fault_counts()["truncated"] == 1


def test_faults_drop_closes_connection(faulty: SimulatorServer):
    api = Api(faulty)
    faulty.faults.drop_rate = 1.0

    with pytest.raises(requests.ConnectionError):
        api.campaigns()
    with pytest.raises(requests.ConnectionError):
        fetch_token(faulty)

    assert faulty.fault_counts()["dropped"] == 2


def test_faults_unsorted_shuffles_same_records(faulty: SimulatorServer):
    list_name, campaign = first_link(faulty)
    api = Api(faulty)
    sorted_page = api.changed(list_name, campaign).json()
    faulty.faults.unsorted_rate = 1.0

    shuffled = api.changed(list_name, campaign).json()

    assert len(sorted_page) > 2
    assert shuffled != sorted_page
    assert sorted(map(json.dumps, shuffled)) == sorted(map(json.dumps, sorted_page))
    assert faulty.fault_counts()["unsorted"] == 1


def test_faults_failed_writes_change_nothing(faulty: SimulatorServer):
    list_name, _ = first_link(faulty)
    api = Api(faulty)
    faulty.faults.error_rate = 0.3
    faulty.faults.rate_limit_rate = 0.2
    faulty.faults.drop_rate = 0.2

    accepted = set()
    for number in range(40):
        try:
            response = api.post("callinglist/add", list_name, json={"id": f"w{number}"})
        except requests.ConnectionError:
            continue
        if response.status_code == 200:
            accepted.add(f"w{number}")

    stored = {
        key for name, key in faulty.tenant.ground_truth().records if key[0] == "w"
    }
    assert stored == accepted
    assert 0 < len(accepted) < 40


def test_fault_injector_same_seed_same_faults():
    def draws(seed: int) -> list[object]:
        injector = FaultInjector(FaultConfig(error_rate=0.5, drop_rate=0.2), seed)
        return [injector.abort() for _ in range(50)]

    assert draws(3) == draws(3)
    assert draws(3) != draws(4)
