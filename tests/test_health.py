"""Tests of the daemon's HTTP endpoints and of the reasons /healthz gives."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from werkzeug.test import Client

from harvester import metrics
from harvester.api.models import Campaign
from harvester.errors import ApiRetriableError, ConfigurationError
from harvester.health import HealthApp, HealthServer, campaign_reasons
from harvester.warehouse.status import StreamStatus

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
NAIVE_T0 = T0.replace(tzinfo=None)


def client_for(is_healthy: bool, reasons: list[str]) -> Client:
    return Client(HealthApp(lambda: (is_healthy, reasons)))


def families(text: str) -> dict[str, list[Sample]]:
    return {f.name: f.samples for f in text_string_to_metric_families(text)}


def streams(campaign: str, list_name: str, success: datetime | None, error=None):
    return [
        StreamStatus(
            campaign=campaign,
            list_name=list_name,
            stream=stream,
            is_enabled=True,
            watermark=NAIVE_T0,
            last_success_at=success,
            last_error=error,
            last_error_at=None,
        )
        for stream in ("completed", "changed")
    ]


def test_healthz_healthy_answers_200_ok():
    response = client_for(True, []).get("/healthz")

    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.headers["Content-Type"].startswith("text/plain")


def test_healthz_unhealthy_answers_503_with_reasons():
    reasons = ["scheduler is not running", "campaign 'Sales' has no success"]

    response = client_for(False, reasons).get("/healthz")

    assert response.status_code == 503
    assert response.get_data(as_text=True).splitlines() == reasons


def test_healthz_check_raising_answers_503():
    def broken() -> tuple[bool, list[str]]:
        raise RuntimeError("database is locked")

    response = Client(HealthApp(broken)).get("/healthz")

    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert body == "health check failed: database is locked\n"


@pytest.mark.parametrize("path", ["/", "/health", "/healthz/extra", "/metricsx"])
def test_health_app_unknown_path_answers_404(path):
    response = client_for(True, []).get(path)

    assert response.status_code == 404
    assert "/healthz" in response.get_data(as_text=True)


def test_metrics_harvester_series_parseable():
    metrics.HARVEST_RUNS.labels("success").inc()
    metrics.observe_campaign("Sales", 42.5, T0)

    response = client_for(True, []).get("/metrics")

    assert response.status_code == 200
    found = families(response.get_data(as_text=True))
    for name in (
        "harvester_harvest_runs",
        "harvester_records_stored",
        "harvester_attempts_stored",
        "harvester_rejected_items",
        "harvester_page_seconds",
        "harvester_api_errors",
        "harvester_campaign_lag_seconds",
        "harvester_campaign_last_success_timestamp_seconds",
    ):
        assert name in found
    lags = found["harvester_campaign_lag_seconds"]
    assert [s.value for s in lags if s.labels == {"campaign": "Sales"}] == [42.5]


def api_errors(label: str) -> float:
    text = client_for(True, []).get("/metrics").get_data(as_text=True)
    return sum(
        float(sample.value)
        for sample in families(text)["harvester_api_errors"]
        if sample.name.endswith("_total") and sample.labels == {"status": label}
    )


@pytest.mark.parametrize(
    ("status", "label"),
    [(503, "503"), (429, "429"), (None, "none")],
)
def test_count_api_error_status_labelled(status, label):
    before = api_errors(label)
    error = ApiRetriableError("failed", method="campaign/getAll", status=status)

    metrics.count_api_error(error)

    assert api_errors(label) == before + 1


def test_forget_campaign_drops_its_series():
    metrics.observe_campaign("Gone", 1.0, T0)
    metrics.CAMPAIGN_FAILURES.labels("Gone").set(2)

    metrics.forget_campaign("Gone")
    metrics.forget_campaign("Never seen")

    text = client_for(True, []).get("/metrics").get_data(as_text=True)
    assert 'campaign="Gone"' not in text


def test_campaign_reasons_recent_successes_none():
    campaigns = [Campaign("Sales", "RUNNING", ("a", "b"))]
    rows = streams("Sales", "a", NAIVE_T0) + streams("Sales", "b", NAIVE_T0)

    reasons = campaign_reasons(campaigns, rows, T0, T0 + timedelta(seconds=60), 180)

    assert reasons == []


def test_campaign_reasons_stale_campaign_named_with_error():
    campaigns = [
        Campaign("Sales", "RUNNING", ("a",)),
        Campaign("Renewals", "RUNNING", ("r",)),
    ]
    error = "API method 'callinglist/getChanged' got no answer after retries"
    rows = streams("Sales", "a", NAIVE_T0, error) + streams("Renewals", "r", None)
    now = T0 + timedelta(seconds=500)

    reasons = campaign_reasons(campaigns, rows, T0, now, 180)

    assert reasons == [
        "campaign 'Renewals' has no successful harvest in the last 180s",
        f"campaign 'Sales' has no successful harvest in the last 180s: {error}",
    ]


def test_campaign_reasons_new_list_without_streams_counts_missing():
    campaigns = [Campaign("Sales", "RUNNING", ("a", "new"))]
    rows = streams("Sales", "a", NAIVE_T0 + timedelta(seconds=400))

    reasons = campaign_reasons(campaigns, rows, T0, T0 + timedelta(seconds=500), 180)

    assert len(reasons) == 1


def test_campaign_reasons_long_error_cut():
    campaigns = [Campaign("Sales", "RUNNING", ("a",))]
    rows = streams("Sales", "a", None, "x" * 5000)

    (reason,) = campaign_reasons(campaigns, rows, T0, T0 + timedelta(hours=1), 180)

    assert len(reason) < 400


def test_health_server_port_in_use_configuration_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(ConfigurationError, match=f"HTTP port {port} .*in use"):
            HealthServer(lambda: (True, []), port, host="127.0.0.1")


def test_health_server_serves_and_stops():
    server = HealthServer(lambda: (False, ["tenant unreachable"]), 0, "127.0.0.1")
    server.start()
    try:
        response = requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)
    finally:
        server.stop()

    assert response.status_code == 503
    assert response.text == "tenant unreachable\n"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)
