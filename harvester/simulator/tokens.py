"""The access tokens the simulated tenant has issued, and their real lifetimes."""

from __future__ import annotations

import enum
import secrets
import threading
import time

from harvester.simulator.config import FaultConfig


class TokenCheck(enum.Enum):
    """What the server makes of a presented token."""

    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    # Dead on the server before the lifetime the token endpoint announced:
    # the injected fault that forces a client to renew mid-run.
    EXPIRED_EARLY = "expired_early"


class TokenStore:
    """Issues bearer tokens and checks them against real (monotonic) time.

    Tokens expire in real time, not simulated time, so a test that moves the
    tenant's clock a day ahead does not log its client out.
    """

    def __init__(self, faults: FaultConfig) -> None:
        self._faults = faults
        self._lock = threading.Lock()
        # token -> (dies at, announced expiry), both in monotonic seconds
        self._tokens: dict[str, tuple[float, float]] = {}

    def issue(self) -> tuple[str, int]:
        """A new token and the ``expires_in`` to announce with it."""
        token = secrets.token_hex(32).upper()
        announced = self._faults.expires_in
        now = time.monotonic()
        with self._lock:
            self._forget_dead(now)
            dies_at = now + self._faults.server_token_lifetime
            self._tokens[token] = (dies_at, now + announced)
        return token, announced

    def check(self, token: str) -> TokenCheck:
        """Whether a presented token is valid, unknown or expired."""
        now = time.monotonic()
        with self._lock:
            known = self._tokens.get(token)
        if known is None:
            return TokenCheck.UNKNOWN
        dies_at, announced_at = known
        if now < dies_at:
            return TokenCheck.VALID
        if now < announced_at:
            return TokenCheck.EXPIRED_EARLY
        return TokenCheck.EXPIRED

    def expire_all(self) -> int:
        """Ends every token's life now; returns how many were alive."""
        now = time.monotonic()
        with self._lock:
            alive = [token for token, (dies, _) in self._tokens.items() if now < dies]
            for token in alive:
                self._tokens[token] = (now, now)
        return len(alive)

    def _forget_dead(self, now: float) -> None:
        # Dead tokens are kept for a while so that a client presenting one is
        # told "expired"; past its announced expiry it is simply unknown.
        dead = [
            token for token, (_, announced) in self._tokens.items() if announced < now
        ]
        for token in dead:
            del self._tokens[token]
