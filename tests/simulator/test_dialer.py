"""The outbound dialer: determinism, retries, completions and visibility."""

from __future__ import annotations

import itertools
import random
import re
from collections import Counter
from datetime import datetime, timedelta

import pytest

from harvester.simulator import SimClock, SimulatorConfig, Tenant
from harvester.simulator.dialer import interaction_id

CONFIG = SimulatorConfig(
    seed=7, campaigns=2, records_per_list=60, dial_rate_per_second=0.2
)


def attempts_of(tenant: Tenant):
    return tenant.ground_truth().attempts


def run_in_steps(config: SimulatorConfig, steps: list[float]) -> Tenant:
    clock = SimClock.stepped(config.start)
    tenant = Tenant(config, clock)
    for seconds in steps:
        clock.advance(seconds)
        tenant.sync()
    return tenant


def test_dialer_same_seed_gives_same_attempts():
    first = run_in_steps(CONFIG, [3600])
    second = run_in_steps(CONFIG, [3600])

    assert attempts_of(first) == attempts_of(second)
    assert len(attempts_of(first)) > 100


def test_dialer_other_seed_gives_other_attempts():
    first = run_in_steps(CONFIG, [3600])
    other = run_in_steps(SimulatorConfig(**{**vars(CONFIG), "seed": 8}), [3600])

    assert attempts_of(first) != attempts_of(other)


@pytest.mark.parametrize("steps", [[1] * 3600, [7.5] * 480, [1000, 2000, 600], [3600]])
def test_dialer_steps_do_not_change_attempts(steps):
    stepped = run_in_steps(CONFIG, steps)

    assert attempts_of(stepped) == attempts_of(run_in_steps(CONFIG, [3600]))


def test_dialer_history_moves_clock_and_generates_data():
    config = SimulatorConfig(history_seconds=5400)
    tenant = Tenant(config)

    assert tenant.clock.now() == config.start + timedelta(seconds=5400)
    assert attempts_of(tenant) == attempts_of(run_in_steps(config, []))
    assert len(attempts_of(tenant)) > 100


def test_dialer_attempts_visible_only_after_delay():
    config = SimulatorConfig(**{**vars(CONFIG), "visibility_delay_seconds": (30, 300)})
    tenant = run_in_steps(config, [3600])
    now = tenant.clock.now()

    attempts = attempts_of(tenant)
    settled = tenant.settle()

    assert all(attempt.date <= now - timedelta(seconds=30) for attempt in attempts)
    assert len(attempts_of(tenant)) > len(attempts)
    assert settled <= now + timedelta(seconds=302)


def test_dialer_retries_until_final_or_max_attempts():
    config = SimulatorConfig(
        **{**vars(CONFIG), "retry_delay_seconds": 60, "max_attempts": 4}
    )
    tenant = run_in_steps(config, [86_400])
    tenant.settle()
    truth = tenant.ground_truth()

    per_record = Counter(
        (a.campaign, a.list_name, a.record_key) for a in truth.attempts
    )
    assert max(per_record.values()) == 4
    assert all(result.completed for result in truth.results.values())
    for key, result in truth.results.items():
        assert result.total_attempts == per_record[key]
        if result.total_attempts < 4:
            assert result.record_disposition in {
                "Not interested",
                "Product sold",
                "Wrong number",
                "Do not call",
            }


def test_dialer_retry_waits_at_least_half_the_delay():
    config = SimulatorConfig(**{**vars(CONFIG), "retry_delay_seconds": 600})
    tenant = run_in_steps(config, [86_400])
    tenant.settle()

    by_record: dict[tuple[str, str, str], list[datetime]] = {}
    for attempt in attempts_of(tenant):
        key = (attempt.campaign, attempt.list_name, attempt.record_key)
        by_record.setdefault(key, []).append(attempt.date)
    gaps = [b - a for dates in by_record.values() for a, b in itertools.pairwise(dates)]
    assert gaps
    assert min(gaps) >= timedelta(seconds=300)


def test_dialer_connected_calls_have_talk_time_and_agent():
    tenant = run_in_steps(CONFIG, [7200])

    attempts = attempts_of(tenant)

    for attempt in attempts:
        assert (attempt.call_duration > 0) == attempt.call_attempted
        assert bool(attempt.agent) == attempt.call_attempted
        assert attempt.dialing_duration >= 0
    assert {a.disposition for a in attempts} >= {"No answer", "Not interested"}
    assert any(a.disposition_code for a in attempts)


def test_dialer_shared_list_has_results_per_campaign():
    tenant = run_in_steps(CONFIG, [7200])
    tenant.settle()
    shared = tenant.campaigns["Spring Renewals"].links[0].calling_list.name

    truth = tenant.ground_truth()
    campaigns = {key[0] for key in truth.results if key[1] == shared}

    assert campaigns == {"Spring Renewals", "Win-back Q1"}
    first = {
        k[2]: v
        for k, v in truth.results.items()
        if k[:2] == ("Spring Renewals", shared)
    }
    second = {
        k[2]: v for k, v in truth.results.items() if k[:2] == ("Win-back Q1", shared)
    }
    assert first != second


def test_dialer_stop_and_resume():
    tenant = run_in_steps(CONFIG, [600])
    tenant.stop_dialing()
    tenant.settle()
    stopped = len(attempts_of(tenant))

    tenant.clock.advance(3600)
    idle = len(attempts_of(tenant))
    tenant.resume_dialing()
    tenant.clock.advance(3600)
    tenant.settle()

    assert idle == stopped
    assert len(attempts_of(tenant)) > stopped
    assert not tenant.is_dialing


def test_dialer_disabled_campaign_does_not_dial():
    tenant = run_in_steps(CONFIG, [60])
    tenant.disable_campaign("Spring Renewals")
    disabled_at = tenant.clock.now()

    tenant.clock.advance(3600)
    tenant.settle()

    dates = [a.date for a in attempts_of(tenant) if a.campaign == "Spring Renewals"]
    assert max(dates) <= disabled_at
    assert any(
        a.campaign == "Win-back Q1" and a.date > disabled_at
        for a in attempts_of(tenant)
    )


def test_dialer_new_records_are_dialed_after_list_ran_out():
    config = SimulatorConfig(
        campaigns=1, records_per_list=3, dial_rate_per_second=1.0, max_attempts=1
    )
    tenant = run_in_steps(config, [600])
    list_name = "Spring Renewals.csv"
    assert len(attempts_of(tenant)) < 4

    tenant.add_records(list_name, [{"id": "new", "phone": "1555"}])
    tenant.clock.advance(600)
    tenant.settle()

    assert "new" in {a.record_key for a in attempts_of(tenant)}


def test_dialer_missing_interaction_id_share():
    config = SimulatorConfig(**{**vars(CONFIG), "missing_interaction_id_rate": 0.5})
    tenant = run_in_steps(config, [7200])

    attempts = attempts_of(tenant)
    missing = sum(1 for a in attempts if a.global_interaction_id is None)

    assert 0.3 < missing / len(attempts) < 0.7


def test_interaction_id_is_uppercase_uuid4():
    value = interaction_id(random.Random(1))

    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", value
    )
