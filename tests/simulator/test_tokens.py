"""Issued tokens and their real lifetimes."""

from __future__ import annotations

import time

from harvester.simulator import FaultConfig
from harvester.simulator.tokens import TokenCheck, TokenStore


def test_tokens_issued_token_is_valid():
    store = TokenStore(FaultConfig())

    token, expires_in = store.issue()

    assert store.check(token) is TokenCheck.VALID
    assert expires_in == 3600
    assert store.check("not-a-token") is TokenCheck.UNKNOWN


def test_tokens_short_lifetime_expires_early():
    store = TokenStore(FaultConfig(token_lifetime_seconds=0.01))
    token, _ = store.issue()

    time.sleep(0.02)

    assert store.check(token) is TokenCheck.EXPIRED_EARLY


def test_tokens_expire_all_ends_every_token():
    store = TokenStore(FaultConfig())
    tokens = [store.issue()[0] for _ in range(3)]

    assert store.expire_all() == 3

    assert {store.check(token) for token in tokens} == {TokenCheck.EXPIRED}
    assert store.expire_all() == 0


def test_tokens_past_announced_expiry_are_forgotten():
    store = TokenStore(FaultConfig(announced_expires_in=0))
    old, _ = store.issue()

    store.issue()

    assert store.check(old) is TokenCheck.UNKNOWN
