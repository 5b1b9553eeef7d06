"""Writes query results as a terminal table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TextIO
from uuid import UUID

from rich.console import Console
from rich.table import Table

from harvester.reporting.query import QueryResult

FORMATS = ("table", "csv", "json")


def write_result(result: QueryResult, output_format: str, stream: TextIO) -> None:
    """Writes a query result to ``stream`` in one of ``FORMATS``."""
    if output_format == "csv":
        write_csv(result, stream)
    elif output_format == "json":
        write_json(result, stream)
    else:
        write_table(result, stream)


def write_table(result: QueryResult, stream: TextIO) -> None:
    """A rich table; NULL is shown as ``NULL`` to tell it from empty text."""
    table = Table(*result.columns)
    for row in result.rows:
        table.add_row(*("NULL" if value is None else as_text(value) for value in row))
    console = Console(file=stream, width=200, highlight=False, soft_wrap=False)
    console.print(table)


def write_csv(result: QueryResult, stream: TextIO) -> None:
    """RFC 4180 CSV with a header line; NULL is an empty field."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow("" if value is None else as_text(value) for value in row)


def write_json(result: QueryResult, stream: TextIO) -> None:
    """A JSON array with one object per row, keyed by column name."""
    objects = [
        {
            column: as_json(value)
            for column, value in zip(result.columns, row, strict=True)
        }
        for row in result.rows
    ]
    json.dump(objects, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def as_text(value: Any) -> str:
    """A value as text: ISO times, lowercase booleans, JSON for nested values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, list | dict | bytes):
        return json.dumps(as_json(value), ensure_ascii=False)
    return str(value)


def as_json(value: Any) -> Any:
    """A value in a form ``json`` can write, keeping numbers numeric."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): as_json(item) for key, item in value.items()}
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, UUID):
        return str(value)
    return str(value)
