"""How report figures read to people: durations, rates, times and lags."""

from __future__ import annotations

from datetime import datetime


def format_duration(seconds: float | None) -> str:
    """``3h 07m``, ``7m 05s`` or ``5s``; ``-`` for nothing."""
    if seconds is None:
        return "-"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def format_rate(rate: float | None) -> str:
    """A share from 0 to 1 as a percentage with one decimal; ``-`` for none."""
    if rate is None:
        return "-"
    return f"{rate * 100:.1f}%"


def format_time(moment: datetime | None) -> str:
    """A UTC time to the second, ``2026-01-05 08:00:00Z``; ``-`` for none."""
    if moment is None:
        return "-"
    return moment.replace(microsecond=0).isoformat(sep=" ") + "Z"


def format_count(count: int) -> str:
    """A whole number with thousands separators."""
    return f"{count:,}"
