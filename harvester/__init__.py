"""Harvests Bright Pattern outbound campaign results into a SQL warehouse."""

from __future__ import annotations

__version__ = "0.1.0"
