"""The control API under /_simulator/."""

from __future__ import annotations

import pytest
import requests

from harvester.simulator import SimulatorServer
from tests.simulator.support import TIMEOUT, Api


def control(server: SimulatorServer, method: str, path: str, **kwargs):
    return requests.request(
        method, f"{server.url}/_simulator/{path}", timeout=TIMEOUT, **kwargs
    )


def test_control_truth_summary_counts(simulator: SimulatorServer):
    body = control(simulator, "GET", "truth").json()

    assert body["records"] == 600
    assert body["attempts"] == len(simulator.tenant.ground_truth().attempts)
    assert body["now"] == "2026-01-05T10:00:00.000"
    assert body["dialing"] is True


def test_control_truth_full_lists_everything(simulator: SimulatorServer):
    body = control(simulator, "GET", "truth/full").json()
    truth = simulator.tenant.ground_truth()

    assert len(body["records"]) == len(truth.records)
    assert len(body["results"]) == len(truth.results)
    assert len(body["attempts"]) == len(truth.attempts)
    assert set(body["attempts"][0]) >= {"campaign", "date", "global_interaction_id"}


def test_control_clock_advance_and_set(simulator: SimulatorServer):
    advanced = control(simulator, "POST", "clock/advance", json={"seconds": 90})
    moved = control(
        simulator, "POST", "clock/set", json={"time": "2026-02-01T00:00:00"}
    )

    assert advanced.json()["now"] == "2026-01-05T10:01:30.000"
    assert moved.json()["now"] == "2026-02-01T00:00:00.000"
    assert control(simulator, "GET", "clock").json()["now"] == moved.json()["now"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("clock/advance", {"seconds": -1}),
        ("clock/advance", {"seconds": "10"}),
        ("clock/advance", None),
        ("clock/set", {"time": "soon"}),
    ],
)
def test_control_bad_clock_request_returns_400(simulator: SimulatorServer, path, body):
    assert control(simulator, "POST", path, json=body).status_code == 400


def test_control_dialing_stop_resume_and_settle(simulator: SimulatorServer):
    stopped = control(simulator, "POST", "dialing/stop").json()
    resumed = control(simulator, "POST", "dialing/resume").json()
    settled = control(simulator, "POST", "settle").json()

    assert stopped["dialing"] is False
    assert resumed["dialing"] is True
    assert settled["dialing"] is False
    assert control(simulator, "POST", "dialing/pause").status_code == 404


def test_control_faults_and_tokens(simulator: SimulatorServer):
    api = Api(simulator)
    simulator.faults.error_rate = 1.0
    api.campaigns()

    counts = control(simulator, "GET", "faults").json()
    expired = control(simulator, "POST", "tokens/expire").json()

    assert counts["server_error"] == 1
    assert expired == {"expired": 1}
