"""Status codes and transport failures mapped to the harvester's errors."""

from __future__ import annotations

import socket

import pytest
import requests

from harvester.api.failures import (
    ApiCall,
    error_for_status,
    error_for_transport,
    redact,
)
from harvester.errors import (
    ApiFatalError,
    ApiRetriableError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from tests.api.conftest import API, SECRET, make_client

GET_ALL = ApiCall("callinglist/getAll", ("l", "c"), ("list", "campaign"), ("l", "c"))


@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [
        (400, BadRequestError, "400 \\(bad request\\)"),
        (401, AuthenticationError, "401 \\(authentication failed\\)"),
        (403, PermissionDeniedError, "403 \\(insufficient privileges\\)"),
        (404, NotFoundError, "404 \\(not found\\)"),
        (409, ConflictError, "409 \\(duplicate key\\)"),
        (418, ApiFatalError, "418 \\(unexpected status\\)"),
        (429, ApiRetriableError, "429 \\(too many requests\\)"),
        (500, ApiRetriableError, "500 \\(server error\\)"),
        (502, ApiRetriableError, "502 \\(bad gateway\\)"),
        (503, ApiRetriableError, "503 \\(service unavailable\\)"),
        (504, ApiRetriableError, "504 \\(gateway timeout\\)"),
    ],
)
def test_client_status_maps_to_typed_error(stub, client, status, kind, words):
    stub.post(f"{API}/callinglist/getAll/l/c", status=status, json={"error": "Why."})

    with pytest.raises(kind, match=rf"for list 'l', campaign 'c' answered {words}"):
        client.get_all_records("l", "c")


@pytest.mark.parametrize("status", [401, 409, 503])
def test_error_for_status_carries_context(status):
    error = error_for_status(GET_ALL, status, "it broke")

    assert (error.method, error.status) == ("callinglist/getAll", status)
    assert (error.names, error.api_message) == (("l", "c"), "it broke")


def test_error_for_status_fatal_and_retriable_are_disjoint():
    fatal = [
        s
        for s in range(400, 600)
        if isinstance(error_for_status(GET_ALL, s), ApiFatalError)
    ]
    retriable = [
        s
        for s in range(400, 600)
        if isinstance(error_for_status(GET_ALL, s), ApiRetriableError)
    ]

    assert retriable == [429, 500, 502, 503, 504]
    assert set(fatal) == set(range(400, 600)) - set(retriable)


def test_client_error_message_is_text_body_when_not_json(stub, client):
    stub.post(f"{API}/callinglist/getAll/l/c", status=400, body="Bad  thing\nhappened.")

    with pytest.raises(BadRequestError, match=r"\(bad request\): Bad thing happened$"):
        client.get_all_records("l", "c")


def test_client_error_message_is_cut_to_200_characters(stub, client):
    stub.post(f"{API}/callinglist/getAll/l/c", status=400, json={"error": "x" * 5000})

    with pytest.raises(BadRequestError) as caught:
        client.get_all_records("l", "c")

    assert len(caught.value.api_message) == 200
    assert caught.value.api_message.endswith("…")


def test_client_error_never_echoes_secret_or_token(stub, client):
    echo = f"client_secret={SECRET} Authorization: Bearer token-1"
    stub.post(f"{API}/callinglist/getAll/l/c", status=400, json={"error": echo})

    with pytest.raises(BadRequestError) as caught:
        client.get_all_records("l", "c")

    assert SECRET not in str(caught.value)
    assert "token-1" not in str(caught.value)
    assert "client_secret=*** Authorization: Bearer ***" in caught.value.api_message


def test_client_503_is_retried_then_raises_retriable(stub, client, caplog):
    stub.post(f"{API}/callinglist/getAll/l/c", status=503, json={"error": "busy"})

    with pytest.raises(
        ApiRetriableError, match=r"answered 503 \(service unavailable\): busy$"
    ):
        client.get_all_records("l", "c")

    api_calls = [c for c in stub.calls if "getAll" in c.request.url]
    assert len(api_calls) == 4
    retries = [r for r in caplog.records if r.levelname == "WARNING"]
    assert [r.getMessage().split()[-3:] for r in retries] == [
        ["attempt=1", "of", "3"],
        ["attempt=2", "of", "3"],
        ["attempt=3", "of", "3"],
    ]


def test_client_unreachable_tenant_raises_retriable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    client = make_client(f"http://127.0.0.1:{port}")

    with pytest.raises(ApiRetriableError, match=r"'oauth/token' for client id"):
        client.list_campaigns()


def test_error_for_transport_tls_failure_is_fatal_with_fix():
    error = error_for_transport(GET_ALL, requests.exceptions.SSLError("bad cert"))

    assert type(error) is ApiFatalError
    assert str(error).endswith("set BPCC_CA_BUNDLE to the tenant's CA bundle")


def test_error_for_transport_bad_url_is_fatal():
    error = error_for_transport(GET_ALL, requests.exceptions.InvalidURL("bad url"))

    assert isinstance(error, ApiFatalError)
    assert "could not be sent: bad url" in str(error)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a secret b", "a *** b"), ("nothing", "nothing"), ("", "")],
)
def test_redact_replaces_every_secret(text, expected):
    assert redact(text, ["secret", ""]) == expected
