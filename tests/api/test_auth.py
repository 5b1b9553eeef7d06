"""The token: cached, renewed before expiry, re-fetched once after a 401."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import responses

from harvester.api.auth import TokenCache, refresh_margin
from harvester.api.models import Token
from harvester.errors import AuthenticationError
from tests.api.conftest import API, SECRET, TOKEN_URL, make_client

CAMPAIGNS = f"{API}/campaign/getAll/"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Issuer:
    """Hands out numbered tokens with a chosen lifetime."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.issued = 0

    def __call__(self) -> Token:
        self.issued += 1
        return Token(f"token-{self.issued}", "Bearer", self.expires_in, "")


@pytest.mark.parametrize(
    ("expires_in", "margin", "expected"),
    [
        (3600, 60, 60),
        (100, 60, 20),
        (10, 60, 2),
        (0, 60, 0),
        (-5, 60, 0),
    ],
)
def test_refresh_margin_is_capped_by_share_of_lifetime(expires_in, margin, expected):
    assert refresh_margin(expires_in, margin) == pytest.approx(expected)


def test_token_cache_reuses_token_until_margin():
    clock, issuer = Clock(), Issuer(3600)
    cache = TokenCache(issuer, clock=clock)

    first = cache.access_token()
    clock.now += 3600 - 61
    second = cache.access_token()
    clock.now += 1
    third = cache.access_token()

    assert (first, second, third) == ("token-1", "token-1", "token-2")


def test_token_cache_short_lifetime_still_reuses_token():
    clock, issuer = Clock(), Issuer(5)
    cache = TokenCache(issuer, clock=clock)

    cache.access_token()
    clock.now += 3.9
    assert cache.access_token() == "token-1"
    clock.now += 0.1
    assert cache.access_token() == "token-2"


def test_token_cache_invalidate_drops_only_matching_token():
    cache = TokenCache(Issuer(), clock=Clock())
    cache.access_token()

    cache.invalidate("some-older-token")
    assert cache.access_token() == "token-1"
    cache.invalidate("token-1")
    assert cache.access_token() == "token-2"


def test_token_cache_many_threads_fetch_once():
    calls = []

    def slow_fetch() -> Token:
        calls.append(1)
        time.sleep(0.05)
        return Token("shared", "Bearer", 3600, "")

    cache = TokenCache(slow_fetch)
    seen: list[str] = []
    threads = [
        threading.Thread(target=lambda: seen.append(cache.access_token()))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert (len(calls), seen) == (1, ["shared"] * 8)
    assert "shared" not in repr(cache)


def test_client_401_fetches_new_token_and_retries_once(stub, client):
    stub.get(CAMPAIGNS, status=401, json={"error": "token expired"})
    stub.get(CAMPAIGNS, json=[])

    page = client.list_campaigns()

    assert page.items == []
    auth = [c.request.headers.get("Authorization") for c in stub.calls]
    assert auth == [None, "Bearer token-1", None, "Bearer token-2"]


def test_client_second_401_raises_authentication(stub, client):
    stub.get(CAMPAIGNS, status=401, json={"error": "no"})

    with pytest.raises(AuthenticationError, match=r"a fresh token was refused too$"):
        client.list_campaigns()

    assert [c.request.url for c in stub.calls].count(CAMPAIGNS) == 2


def test_client_token_401_names_client_id_not_secret(caplog):
    caplog.set_level(logging.DEBUG)
    with responses.RequestsMock() as stub, make_client() as client:
        stub.post(TOKEN_URL, status=401, json={"error": f"bad secret {SECRET}"})

        with pytest.raises(AuthenticationError) as caught:
            client.list_campaigns()

    message = str(caught.value)
    assert message.startswith("API method 'oauth/token' for client id 'harvester'")
    assert message.endswith("check BPCC_CLIENT_ID and BPCC_CLIENT_SECRET")
    assert SECRET not in message + caplog.text
    assert caught.value.status == 401
