"""Ground truth agrees with what the API serves."""

from __future__ import annotations

from harvester.simulator import SimulatorServer
from harvester.timeutil import format_api_time, parse_api_time
from tests.simulator.support import Api


def served_attempts(api: Api):
    """Every attempt getChanged serves, as tuples comparable with the truth."""
    served = set()
    for campaign in api.campaigns().json():
        for list_name in campaign["lists"]:
            for item in api.changed(list_name, campaign["name"]).json():
                for attempt in item["attempts"]:
                    served.add(
                        (
                            campaign["name"],
                            list_name,
                            item["entry"]["id"],
                            attempt.get("globalInteractionID"),
                            attempt["date"],
                            attempt["disposition"],
                            attempt["callDuration"],
                            attempt["agent"],
                        )
                    )
    return served


def test_truth_attempts_match_get_changed(simulator: SimulatorServer):
    simulator.tenant.settle()
    api = Api(simulator)

    truth = simulator.tenant.ground_truth()

    expected = {
        (
            a.campaign,
            a.list_name,
            a.record_key,
            a.global_interaction_id,
            format_api_time(a.date),
            a.disposition,
            a.call_duration,
            a.agent,
        )
        for a in truth.attempts
    }
    assert served_attempts(api) == expected
    assert len(expected) == len(truth.attempts) > 100


def test_truth_results_match_get_all(simulator: SimulatorServer):
    api = Api(simulator)
    truth = simulator.tenant.ground_truth()

    for campaign in api.campaigns().json():
        for list_name in campaign["lists"]:
            for item in api.all(list_name, campaign["name"]).json():
                key = (campaign["name"], list_name, item["entry"]["id"])
                status = item["status"]
                result = truth.results.get(key)
                if result is None:
                    assert status == {"completed": False}
                    continue
                assert status["completed"] == result.completed
                assert status["totalAttempts"] == result.total_attempts
                assert status["lastDisposition"] == result.last_disposition
                assert parse_api_time(status["lastDate"]) == result.last_attempt_at
                assert status.get("globalInteractionID") == result.global_interaction_id


def test_truth_completions_match_get_completed(simulator: SimulatorServer):
    api = Api(simulator)
    truth = simulator.tenant.ground_truth()

    served = {
        (campaign["name"], list_name, item["entry"]["id"], item["completedTime"])
        for campaign in api.campaigns().json()
        for list_name in campaign["lists"]
        for item in api.completed(list_name, campaign["name"]).json()
    }

    expected = {
        (*key, format_api_time(result.completed_at))
        for key, result in truth.results.items()
        if result.completed_at is not None
    }
    assert served == expected


def test_truth_summary_counts(simulator: SimulatorServer):
    truth = simulator.tenant.ground_truth()

    summary = truth.summary()

    assert summary["records"] == len(truth.records) == 600
    assert summary["attempts"] == len(truth.attempts)
    assert summary["completed"] <= summary["results"] == len(truth.results)
    assert truth.taken_at == simulator.clock.now()
