"""The SQL warehouse: models, engine setup, migrations and writes."""

from __future__ import annotations
