"""Tests of the demo's simulated tenant: its shape and where its clock starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from harvester.demo.scenario import HISTORY_SECONDS, Scenario, describe_tenant
from harvester.demo.scenario import start_simulator as start_demo_simulator

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("speed", "duration", "behind"),
    [(60.0, 30.0, HISTORY_SECONDS + 1800), (10.0, 180.0, HISTORY_SECONDS + 1800)],
)
def test_start_time_reaches_now_at_demo_end(speed, duration, behind):
    scenario = Scenario(seed=1, speed=speed, duration_seconds=duration)

    assert scenario.start_time(NOW) == NOW - timedelta(seconds=behind)


def test_config_shares_lists_between_campaigns():
    config = Scenario(seed=3, speed=60, duration_seconds=30).config(NOW)

    assert config.seed == 3
    assert config.campaigns > 1
    assert config.shared_lists > 0
    assert config.history_seconds == HISTORY_SECONDS


def test_start_simulator_serves_tenant_with_history():
    server = start_demo_simulator(Scenario(1, 60.0, 30.0), datetime.now(UTC))
    try:
        answer = requests.get(f"{server.url}/_simulator/truth", timeout=10)
        description = describe_tenant(server)
    finally:
        server.stop()

    assert answer.status_code == 200
    assert answer.json()["attempts"] > 0
    assert description == (
        "4 campaigns, 8 calling lists (2 shared by two campaigns), "
        "12 agents, clock at 60x"
    )
