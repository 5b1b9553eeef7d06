"""Timeouts and retries over a real socket: drops, slow answers, cut bodies."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from urllib3.response import HTTPResponse
from urllib3.util.retry import RequestHistory

from harvester.api.transport import (
    MAX_RETRY_AFTER_SECONDS,
    LoggingRetry,
    RetryPolicy,
    Timeouts,
    api_method_of,
)
from harvester.errors import ApiRetriableError, ConflictError
from tests.api.conftest import SECRET, make_client
from tests.api.scripted_server import Step

CAMPAIGNS = [{"name": "c", "state": "RUNNING", "lists": ["l"]}]


@pytest.mark.parametrize(
    ("url", "method"),
    [
        ("/configapi/v2/callinglist/getAll/a%2Fb/c", "callinglist/getAll"),
        ("http://h:1/configapi/v2/campaign/getAll/", "campaign/getAll"),
        ("/configapi/v2/oauth/token/", "oauth/token"),
        ("/elsewhere", "/elsewhere"),
        (None, "unknown"),
    ],
)
def test_api_method_of_keeps_method_drops_names(url, method):
    assert api_method_of(url) == method


def test_logging_retry_backoff_is_drawn_once_per_step():
    history = tuple(RequestHistory("POST", "/x", None, 503, None) for _ in range(4))
    retry = LoggingRetry(total=9, backoff_factor=1, backoff_jitter=5, history=history)

    assert retry.get_backoff_time() == retry.get_backoff_time()
    assert 8 <= retry.get_backoff_time() <= 13


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7), ("100000", MAX_RETRY_AFTER_SECONDS)],
)
def test_retry_policy_planned_wait_honours_retry_after(header, expected):
    retry = RetryPolicy().build_retry()
    response = HTTPResponse(status=429, headers={"Retry-After": header})

    assert retry.planned_wait(response) == expected


def test_client_dropped_connection_is_retried(scripted, caplog):
    scripted.script(Step(kind="drop"), Step(body=CAMPAIGNS))

    with make_client(scripted.url) as client:
        page = client.list_campaigns()

    assert [c.name for c in page.items] == ["c"]
    assert "reason=ProtocolError" in caplog.text
    assert "attempt=1 of 3" in caplog.text


def test_client_slow_answer_past_read_timeout_is_retried(scripted, caplog):
    scripted.script(Step(kind="slow", delay=0.5, body=[]), Step(body=CAMPAIGNS))

    with make_client(scripted.url, timeouts=Timeouts(connect=1, read=0.2)) as client:
        page = client.list_campaigns()

    assert len(page.items) == 1
    assert "reason=ReadTimeoutError" in caplog.text


def test_client_body_shorter_than_announced_is_retried(scripted, caplog):
    scripted.script(Step(kind="cut", body=CAMPAIGNS), Step(body=CAMPAIGNS))

    with make_client(scripted.url) as client:
        page = client.list_campaigns()

    assert len(page.items) == 1
    assert "reason=incomplete_body" in caplog.text


def test_client_cut_json_with_matching_length_is_retried(scripted):
    scripted.script(Step(body=b'[{"name": "c", "sta'), Step(body=CAMPAIGNS))

    with make_client(scripted.url) as client:
        page = client.list_campaigns()

    assert len(page.items) == 1
    assert len(scripted.api_requests()) == 2


def test_client_cut_json_every_time_raises_retriable(scripted):
    scripted.script(Step(body=b'[{"name"'))

    client = make_client(scripted.url)
    with pytest.raises(ApiRetriableError, match=r"incomplete JSON body 4 times$"):
        client.list_campaigns()

    assert len(scripted.api_requests()) == 4


def test_client_503_every_time_reports_retries(scripted):
    scripted.script(Step(status=503, body={"error": "Down for maintenance."}))

    client = make_client(scripted.url)
    with pytest.raises(ApiRetriableError) as caught:
        client.list_campaigns()

    assert str(caught.value).endswith(
        "answered 503 (service unavailable) after 3 retries: Down for maintenance"
    )
    assert len(scripted.api_requests()) == 4


def test_client_429_waits_retry_after(scripted, caplog):
    scripted.script(
        Step(status=429, headers={"Retry-After": "1"}), Step(body=CAMPAIGNS)
    )

    with make_client(scripted.url) as client:
        started = time.monotonic()
        client.list_campaigns()
        waited = time.monotonic() - started

    assert waited >= 1
    assert "reason=http_429 wait_seconds=1.00 attempt=1 of 3" in caplog.text


def test_client_add_resent_after_drop_conflict_says_so(scripted):
    scripted.script(Step(kind="drop"), Step(status=409, body={"error": "Duplicate"}))

    client = make_client(scripted.url)
    with pytest.raises(ConflictError, match=r"first attempt may have written"):
        client.add_record("l", {"id": "1"})


def test_client_add_all_resent_after_drop_is_flagged(scripted):
    answer = {"added": 0, "errors": ["duplicate key 1"]}
    scripted.script(Step(kind="drop"), Step(body=answer))

    with make_client(scripted.url) as client:
        result = client.add_records("l", [{"id": "1"}])

    assert result.was_resent
    assert result.errors == ("duplicate key 1",)


def test_client_logs_each_call_without_secrets(scripted, caplog):
    caplog.set_level(logging.DEBUG)
    scripted.script(Step(status=500), Step(body=CAMPAIGNS))

    with make_client(scripted.url) as client:
        client.list_campaigns()

    calls = [r.getMessage() for r in caplog.records if "http_status" in r.getMessage()]
    assert calls[0].startswith("API call api_method=oauth/token http_status=200")
    assert calls[1].startswith("API call api_method=campaign/getAll http_status=200")
    assert calls[1].endswith("retries=1")
    for secret in (SECRET, "scripted-token-1", "Authorization", "Bearer"):
        assert secret not in caplog.text


def test_client_shared_by_threads_fetches_one_token(scripted):
    scripted.script(Step(body=CAMPAIGNS))
    errors: list[BaseException] = []

    def harvest(client) -> None:
        try:
            for _ in range(5):
                client.list_campaigns()
        except BaseException as exc:
            errors.append(exc)

    with make_client(scripted.url) as client:
        threads = [threading.Thread(target=harvest, args=(client,)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert scripted.tokens_issued == 1
    assert len(scripted.api_requests()) == 30


def test_client_add_all_resent_after_cut_body_is_flagged(scripted):
    answer = {"added": 0, "errors": ["duplicate key 1"]}
    scripted.script(Step(body=b'{"added": 1'), Step(body=answer))

    with make_client(scripted.url) as client:
        result = client.add_records("l", [{"id": "1"}])

    assert result.was_resent
    assert len(scripted.api_requests()) == 2
