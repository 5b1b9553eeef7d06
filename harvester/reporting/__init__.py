"""DuckDB reporting over the warehouse: views, `harvester sql`, `harvester report`.

The names below load on first use: the child process that writes the
reporting file imports ``harvester.reporting.writer`` and must not pay for
SQLAlchemy and Alembic on the way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from harvester.reporting.builder import BuildResult, build_reporting
    from harvester.reporting.fields import reporting_signature

__all__ = ["BuildResult", "build_reporting", "reporting_signature"]

_HOMES = {
    "BuildResult": "harvester.reporting.builder",
    "build_reporting": "harvester.reporting.builder",
    "reporting_signature": "harvester.reporting.fields",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'harvester.reporting' has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name]), name)
