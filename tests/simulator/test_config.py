"""The simulator's settings and their checks."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from harvester.simulator import FaultConfig, SimulatorConfig


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"visibility_delay_seconds": (10, 5)}, "visibility delay"),
        ({"visibility_delay_seconds": (-1, 5)}, "visibility delay"),
        ({"max_attempts": 0}, "max attempts"),
        ({"dial_rate_per_second": 0}, "dial rate"),
        ({"key_fields": ()}, "key fields"),
    ],
)
def test_config_bad_value_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        SimulatorConfig(**change)


def test_config_secret_is_not_in_repr():
    assert "simulator-secret" not in repr(SimulatorConfig())


def test_fault_config_token_lifetime_defaults_to_announced():
    assert FaultConfig().server_token_lifetime == 3600
    assert FaultConfig(announced_expires_in=60).server_token_lifetime == 60
    assert FaultConfig(token_lifetime_seconds=5).expires_in == 3600


def test_fault_config_counts_every_kind():
    faults = FaultConfig()

    faults.record("dropped")
    faults.record("dropped")

    counts = faults.counts()
    assert counts["dropped"] == 2
    assert set(counts) == {
        "latency",
        "dropped",
        "server_error",
        "rate_limit",
        "expired_token",
        "truncated",
        "unsorted",
    }


def test_config_copies_start_with_fresh_fault_counts():
    config = SimulatorConfig()
    config.faults.record("latency")

    copied = copy.deepcopy(config)
    as_dict = dataclasses.asdict(config)
    unpickled = pickle.loads(pickle.dumps(config))  # noqa: S301 (our own bytes)

    assert copied.faults.counts()["latency"] == 0
    assert as_dict["faults"]["error_rate"] == 0.0
    assert unpickled.faults.counts()["latency"] == 0
    assert config.faults.counts()["latency"] == 1
