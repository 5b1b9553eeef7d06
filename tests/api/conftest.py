"""Fixtures of the API client tests: a stubbed tenant, a scripted socket server."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import responses

from harvester.api.client import BpccClient
from harvester.api.transport import RetryPolicy, Timeouts
from tests.api.scripted_server import ScriptedServer, token_body

BASE_URL = "https://tenant.example.com"
API = f"{BASE_URL}/configapi/v2"
TOKEN_URL = f"{API}/oauth/token/"
SECRET = "s3cr3t-value-never-shown"
FAST_RETRY = RetryPolicy(
    total=3, backoff_factor=0.01, backoff_max=0.05, backoff_jitter=0
)


def make_client(base_url: str = BASE_URL, **options) -> BpccClient:
    """A client with quick retries and timeouts, for tests."""
    options.setdefault("retry", FAST_RETRY)
    options.setdefault("timeouts", Timeouts(connect=2, read=2))
    return BpccClient(base_url, "harvester", SECRET, **options)


@pytest.fixture
def stub() -> Iterator[responses.RequestsMock]:
    """A stubbed tenant whose token endpoint hands out 'token-1', 'token-2', ..."""
    issued = 0

    def issue_token(request):
        nonlocal issued
        issued += 1
        return 200, {}, json.dumps(token_body(f"token-{issued}"))

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=issue_token)
        yield mock


@pytest.fixture
def client() -> Iterator[BpccClient]:
    """A client of the stubbed tenant."""
    with make_client() as api_client:
        yield api_client


@pytest.fixture
def scripted() -> Iterator[ScriptedServer]:
    """A scripted HTTP server on 127.0.0.1."""
    server = ScriptedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
