"""Fixtures of the simulator's own tests."""

from __future__ import annotations

import pytest

from harvester.simulator import SimulatorConfig, SimulatorServer
from tests.fixtures.simulator import MakeSimulator
from tests.simulator.support import Api

LIST = "list.csv"
CAMPAIGN = "Outbound Campaign"
RECORDS = [
    {"ID": str(number), "firstName": f"Name {number}", "Phone": f"1650555000{number}"}
    for number in range(1, 6)
]


@pytest.fixture
def quiet(make_simulator: MakeSimulator) -> SimulatorServer:
    """A tenant that does not dial: "Outbound Campaign" over "list.csv".

    The list holds records 1 to 5; attempts appear only when a test injects
    them, and are visible at once unless the test asks for a delay.
    """
    server = make_simulator(
        SimulatorConfig(campaigns=0, visibility_delay_seconds=(0.0, 0.0))
    )
    server.tenant.stop_dialing()
    server.tenant.add_campaign(CAMPAIGN, [LIST])
    server.tenant.add_records(LIST, RECORDS)
    return server


@pytest.fixture
def api(quiet: SimulatorServer) -> Api:
    """An authenticated client of the quiet tenant."""
    return Api(quiet)
