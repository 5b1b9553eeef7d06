"""Serving a tenant on a background werkzeug server."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from harvester.simulator import SimulatorConfig, SimulatorServer, Tenant
from tests.simulator.support import TIMEOUT, Api, first_link


def small_tenant() -> Tenant:
    return Tenant(SimulatorConfig(campaigns=1, records_per_list=10))


def test_server_url_needs_start():
    server = SimulatorServer(small_tenant())

    with pytest.raises(RuntimeError, match="not started"):
        _ = server.url


def test_server_context_manager_frees_port():
    with SimulatorServer(small_tenant()) as server:
        url = server.url
        assert requests.get(f"{url}/_simulator/clock", timeout=TIMEOUT).ok

    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_simulator/clock", timeout=TIMEOUT)


def test_server_start_and_stop_are_idempotent():
    server = SimulatorServer(small_tenant())

    assert server.start() is server.start()
    server.stop()
    server.stop()


def test_server_serves_concurrent_requests(simulator: SimulatorServer):
    list_name, campaign = first_link(simulator)
    api = Api(simulator)

    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(lambda _: api.changed(list_name, campaign), range(24)))

    assert {page.status_code for page in pages} == {200}
    assert len({page.content for page in pages}) == 1


def test_server_exposes_tenant_clock_and_faults(simulator: SimulatorServer):
    assert simulator.clock is simulator.tenant.clock
    assert simulator.faults is simulator.tenant.config.faults
    assert simulator.url.startswith("http://127.0.0.1:")
