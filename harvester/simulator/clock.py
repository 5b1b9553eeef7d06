"""The simulated tenant's clock: stepped, real-time or accelerated."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from harvester.timeutil import utcnow


def to_ms(value: datetime) -> int:
    """Milliseconds since the Unix epoch of an aware (or UTC naive) datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    """The aware UTC datetime of milliseconds since the Unix epoch."""
    return _EPOCH + timedelta(milliseconds=ms)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class SimClock:
    """The time the simulated tenant lives in.

    A stepped clock (speed 0) stands still until a test moves it with
    ``advance`` or ``set``, so tests never sleep. A running clock moves
    ``speed`` simulated seconds per real second from its start: 1 is real
    time, more is accelerated. ``advance`` and ``set`` work in every mode.

    Args:
        start: the reading at creation; naive values are taken as UTC. None
            means the current wall-clock time.
        speed: simulated seconds per real second; 0 makes a stepped clock.
    """

    def __init__(self, start: datetime | None = None, *, speed: float = 0.0) -> None:
        if speed < 0:
            raise ValueError(f"clock speed {speed!r} is negative")
        self._lock = threading.Lock()
        self._speed = speed
        self._base_ms = to_ms(start if start is not None else utcnow())
        self._anchor = time.monotonic()

    @classmethod
    def stepped(cls, start: datetime) -> SimClock:
        """A clock that moves only when told to."""
        return cls(start, speed=0.0)

    @classmethod
    def real_time(cls, start: datetime | None = None) -> SimClock:
        """A clock moving at wall-clock pace, from now unless told otherwise."""
        return cls(start, speed=1.0)

    @classmethod
    def accelerated(cls, start: datetime | None, speed: float) -> SimClock:
        """A clock moving ``speed`` simulated seconds per real second."""
        return cls(start, speed=speed)

    @property
    def speed(self) -> float:
        """Simulated seconds per real second; 0 for a stepped clock."""
        return self._speed

    @property
    def is_stepped(self) -> bool:
        """Whether the clock moves only through ``advance`` and ``set``."""
        return self._speed == 0.0

    def now_ms(self) -> int:
        """The current reading in milliseconds since the Unix epoch."""
        with self._lock:
            return self._read_locked()

    def now(self) -> datetime:
        """The current reading as an aware UTC datetime."""
        return from_ms(self.now_ms())

    def advance(self, seconds: float) -> datetime:
        """Moves the clock forward and returns the new reading.

        Raises:
            ValueError: ``seconds`` is negative; use ``set`` to go back.
        """
        if seconds < 0:
            raise ValueError(f"cannot advance the clock by {seconds!r} seconds")
        with self._lock:
            self._base_ms = self._read_locked() + round(seconds * 1000)
            self._anchor = time.monotonic()
            return from_ms(self._base_ms)

    def set(self, value: datetime) -> None:
        """Sets the reading; a running clock goes on from there.

        Setting an earlier time is allowed; the tenant then records nothing
        new until the clock passes the latest time it already simulated.
        """
        with self._lock:
            self._base_ms = to_ms(value)
            self._anchor = time.monotonic()

    def _read_locked(self) -> int:
        if self._speed == 0.0:
            return self._base_ms
        elapsed = time.monotonic() - self._anchor
        return self._base_ms + int(elapsed * self._speed * 1000)
