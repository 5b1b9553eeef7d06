"""Fault injection: deciding, from a seeded generator, which requests fail."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from harvester.simulator.catalog import derive_seed
from harvester.simulator.config import FaultConfig

_SERVER_ERRORS = (500, 502, 503)


@dataclass(frozen=True, slots=True)
class Abort:
    """A request answered by a fault instead of the tenant.

    Attributes:
        kind: the fault kind, as counted by ``FaultConfig.counts``.
        status: the HTTP status to answer; 0 to close the connection silently.
    """

    kind: str
    status: int = 0


class FaultInjector:
    """Draws faults for requests, and counts them in the ``FaultConfig``.

    Its generator is separate from the tenant's, so injected faults never
    change the simulated calls, and every fault is decided before the request
    reaches the tenant, so a failed request never changes data.
    """

    def __init__(self, config: FaultConfig, tenant_seed: int) -> None:
        self.config = config
        seed = config.seed if config.seed is not None else tenant_seed
        self._rng = random.Random(derive_seed(seed, "faults"))
        self._lock = threading.Lock()

    def latency(self) -> float:
        """Seconds to wait before answering (0 when no latency is set)."""
        setting = self.config.latency_seconds
        if isinstance(setting, tuple):
            low, high = setting
            with self._lock:
                delay = self._rng.uniform(low, high)
        else:
            delay = setting
        if delay > 0:
            self.config.record("latency")
        return max(delay, 0.0)

    def abort(self) -> Abort | None:
        """A dropped connection, a 5xx or a 429 for this request, or None."""
        config = self.config
        if self._happens(config.drop_rate):
            config.record("dropped")
            return Abort("dropped")
        if self._happens(config.error_rate):
            config.record("server_error")
            with self._lock:
                status = self._rng.choice(_SERVER_ERRORS)
            return Abort("server_error", status)
        if self._happens(config.rate_limit_rate):
            config.record("rate_limit")
            return Abort("rate_limit", 429)
        return None

    def shuffle(self, items: list[str]) -> list[str]:
        """The page in another order, now and then (``unsorted_rate``)."""
        if len(items) < 2 or not self._happens(self.config.unsorted_rate):
            return items
        shuffled = list(items)
        with self._lock:
            self._rng.shuffle(shuffled)
        if shuffled == items:
            shuffled[0], shuffled[1] = shuffled[1], shuffled[0]
        self.config.record("unsorted")
        return shuffled

    def truncate(self, body: bytes) -> bytes:
        """The body cut short, now and then (``truncate_rate``)."""
        if len(body) < 2 or not self._happens(self.config.truncate_rate):
            return body
        with self._lock:
            cut = self._rng.randrange(1, len(body))
        self.config.record("truncated")
        return body[:cut]

    def _happens(self, rate: float) -> bool:
        if rate <= 0:
            return False
        with self._lock:
            return self._rng.random() < rate
