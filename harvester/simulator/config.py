"""The simulator's settings: tenant size, dialing pace, credentials and faults."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEFAULT_START = datetime(2026, 1, 5, 8, 0, 0, tzinfo=UTC)
DEFAULT_CLIENT_ID = "harvester"
# A well-known test credential of the simulated tenant, not a real secret.
DEFAULT_CLIENT_SECRET = "simulator-secret"  # noqa: S105
DEFAULT_EXPIRES_IN = 3600

FAULT_KINDS = (
    "latency",
    "dropped",
    "server_error",
    "rate_limit",
    "expired_token",
    "truncated",
    "unsorted",
)


class FaultCounts:
    """Counts of injected faults by kind, safe to update from many threads.

    A copy (``copy.deepcopy``, ``dataclasses.asdict``, pickling) starts from
    zero: counts belong to one running simulator, not to its settings.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, kind: str) -> None:
        """Counts one fault of ``kind``."""
        with self._lock:
            self._counts[kind] += 1

    def snapshot(self) -> dict[str, int]:
        """Every kind's count, zeros included."""
        with self._lock:
            return {kind: self._counts[kind] for kind in FAULT_KINDS}

    def __deepcopy__(self, memo: dict[int, Any]) -> FaultCounts:
        return FaultCounts()

    def __reduce__(self) -> tuple[type[FaultCounts], tuple[()]]:
        return (FaultCounts, ())


@dataclass
class FaultConfig:
    """Which failures the simulated tenant injects, and how often.

    Rates are shares of requests between 0 and 1, drawn from a random
    generator of their own so that faults never change the simulated data.
    The token endpoint only ever sees latency, dropped connections, 5xx and
    429; truncation and shuffling apply to read methods only, and a failed
    request never changes the tenant.

    Attributes:
        error_rate: share answered 500, 502 or 503.
        rate_limit_rate: share answered 429 with a Retry-After header.
        retry_after_seconds: the Retry-After value of a 429.
        latency_seconds: real delay added to every request, fixed or a
            (min, max) range.
        token_lifetime_seconds: real seconds a token lives on the server;
            None keeps it alive as long as announced.
        announced_expires_in: the ``expires_in`` the token endpoint announces;
            None announces 3600.
        truncate_rate: share of read responses sent as 200 with a cut body.
        drop_rate: share of requests whose connection closes with no answer.
        unsorted_rate: share of getChanged and getCompleted pages returned in
            shuffled order (same records).
        seed: seed of the fault generator; None derives it from the
            simulator's seed.
    """

    error_rate: float = 0.0
    rate_limit_rate: float = 0.0
    retry_after_seconds: int = 1
    latency_seconds: float | tuple[float, float] = 0.0
    token_lifetime_seconds: float | None = None
    announced_expires_in: int | None = None
    truncate_rate: float = 0.0
    drop_rate: float = 0.0
    unsorted_rate: float = 0.0
    seed: int | None = None
    _counts: FaultCounts = field(
        default_factory=FaultCounts, init=False, repr=False, compare=False
    )

    @property
    def expires_in(self) -> int:
        """The token lifetime the token endpoint announces, in seconds."""
        if self.announced_expires_in is None:
            return DEFAULT_EXPIRES_IN
        return self.announced_expires_in

    @property
    def server_token_lifetime(self) -> float:
        """How long a token really lives on the server, in real seconds."""
        if self.token_lifetime_seconds is None:
            return float(self.expires_in)
        return self.token_lifetime_seconds

    def record(self, kind: str) -> None:
        """Counts one injected fault of ``kind``."""
        self._counts.record(kind)

    def counts(self) -> dict[str, int]:
        """The faults injected so far, by kind (every kind, zeros included)."""
        return self._counts.snapshot()


@dataclass
class SimulatorConfig:
    """The shape and behaviour of a simulated tenant.

    Attributes:
        seed: seeds every generated name, record and call attempt.
        campaigns: campaigns generated at start.
        lists_per_campaign: calling lists generated per campaign.
        shared_lists: generated lists that also serve the next campaign.
        records_per_list: records generated per calling list.
        agents: agents who take the connected calls.
        start: the simulated time at which dialing begins.
        history_seconds: dialing simulated before the tenant serves, so that
            it comes up with data; the clock is moved to start + history.
        dial_rate_per_second: mean call attempts per simulated second per
            campaign.
        visibility_delay_seconds: (min, max) delay between an attempt's date
            and the moment the API shows it (the agent's wrap-up).
        client_id: the API user accepted by the token endpoint.
        client_secret: that user's secret.
        key_fields: key fields of the generated lists.
        missing_interaction_id_rate: share of attempts without an interaction id.
        max_attempts: attempts per record before the dialer gives up.
        retry_delay_seconds: mean wait before an unanswered record is retried.
        faults: the failures to inject.
    """

    seed: int = 1
    campaigns: int = 3
    lists_per_campaign: int = 1
    shared_lists: int = 1
    records_per_list: int = 200
    agents: int = 8
    start: datetime = DEFAULT_START
    history_seconds: float = 0.0
    dial_rate_per_second: float = 0.05
    visibility_delay_seconds: tuple[float, float] = (30.0, 300.0)
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    key_fields: tuple[str, ...] = ("id",)
    missing_interaction_id_rate: float = 0.0
    max_attempts: int = 3
    retry_delay_seconds: float = 1800.0
    faults: FaultConfig = field(default_factory=FaultConfig)

    def __post_init__(self) -> None:
        low, high = self.visibility_delay_seconds
        if low < 0 or high < low:
            raise ValueError(
                f"visibility delay {self.visibility_delay_seconds!r} is not a "
                "(min, max) range of non-negative seconds"
            )
        if not 1 <= self.max_attempts <= 255:
            raise ValueError(f"max attempts {self.max_attempts!r} is not 1 to 255")
        if self.dial_rate_per_second <= 0:
            raise ValueError(
                f"dial rate {self.dial_rate_per_second!r} is not a positive number"
            )
        if not self.key_fields:
            raise ValueError("key fields are empty; a list needs at least one")
