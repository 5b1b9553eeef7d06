"""The reporting views: the SQL files of ``sql/`` and the generated per-list views.

Each file of the top-level ``sql/`` folder creates one view over the schema
``warehouse_tables``, which mirrors the warehouse tables through the scanner
functions. The header comment of a file says what the view answers and
documents each column as ``-- <column>  <description>``; the builder stores
those texts as DuckDB comments, so a stock client shows them too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import harvester
from harvester.errors import ConfigurationError
from harvester.reporting.identifiers import (
    quote_identifier,
    quote_literal,
    unique_name,
)

SQL_PATH_VARIABLE = "HARVESTER_SQL_PATH"

# The schema of the raw warehouse tables. Not "warehouse": DuckDB refuses a
# two-part name whose first part is both a schema and the file's catalog, and
# a reporting file called warehouse.duckdb is plausible.
SOURCE_SCHEMA = "warehouse_tables"

# The views of sql/, in an order where every view follows those it reads.
VIEW_ORDER = (
    "campaigns",
    "campaign_lists",
    "list_records",
    "record_fields",
    "record_results",
    "call_attempts",
    "harvest_status",
    "campaign_daily",
    "disposition_mix",
    "agent_daily",
    "attempts_per_completion",
    "contact_rate_by_hour",
    "campaign_kpis",
)

# The view naming the per-list view of each calling list.
LIST_INDEX_VIEW = "list_views"
RECORD_KEY = "record_key"

_COLUMN_LINE = re.compile(r"^-- (\w+) {2,}(\S.*)$")


@dataclass(frozen=True)
class ViewDefinition:
    """One view: its name, the statement creating it, and its documentation.

    Attributes:
        summary: what the view answers.
        columns: the description of each column, in order.
    """

    name: str
    sql: str
    summary: str
    columns: dict[str, str]


def locate_sql() -> Path:
    """The folder of the view files.

    It is the top-level ``sql`` folder next to the ``harvester`` package,
    unless ``HARVESTER_SQL_PATH`` names another one (for installs that put
    the files elsewhere).
    """
    configured = os.environ.get(SQL_PATH_VARIABLE)
    if configured:
        return Path(configured)
    return Path(harvester.__file__).resolve().parent.parent / "sql"


def read_view_files(folder: Path | None = None) -> list[ViewDefinition]:
    """The view definitions of ``sql/``, in creation order.

    Raises:
        ConfigurationError: a view file is missing or unreadable.
    """
    folder = folder or locate_sql()
    definitions = []
    for name in VIEW_ORDER:
        path = folder / f"{name}.sql"
        try:
            sql = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(
                f"view file '{path}' cannot be read: {exc.strerror}; set "
                f"{SQL_PATH_VARIABLE} to the folder holding the view files"
            ) from exc
        summary, columns = parse_header(sql)
        definitions.append(ViewDefinition(name, sql, summary, columns))
    return definitions


def parse_header(sql: str) -> tuple[str, dict[str, str]]:
    """The summary line and the column descriptions of a view file's header."""
    header = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        header.append(line.rstrip())

    first = header[0].removeprefix("--").strip() if header else ""
    # The first line reads "<view>: <question>"; the question is the summary.
    summary = first.partition(": ")[2] or first
    columns = {}
    for line in header[1:]:
        match = _COLUMN_LINE.match(line)
        if match:
            columns[match.group(1)] = match.group(2).strip()
    return summary, columns


def list_view(
    view_name: str, list_name: str, fields: tuple[str, ...]
) -> ViewDefinition:
    """The wide view of a calling list: its records, one column per field.

    A field whose column name would repeat ``record_key`` (or another column,
    DuckDB names being case-insensitive) gets a ``_2``-style suffix.
    """
    used = {RECORD_KEY}
    lines = [f"    {RECORD_KEY}"]
    columns = {RECORD_KEY: "the record"}
    for field_name in fields:
        column = unique_name(field_name, used)
        used.add(column.lower())
        lines.append(
            f"    max(field_value) filter "
            f"(where field_name = {quote_literal(field_name)}) "
            f"as {quote_identifier(column)}"
        )
        columns[column] = f"entry field '{field_name}'"

    sql = (
        f"create view {quote_identifier(view_name)} as\nselect\n"
        + ",\n".join(lines)
        + f"\nfrom record_fields\nwhere list_name = {quote_literal(list_name)}"
        + f"\ngroup by {RECORD_KEY}"
    )
    summary = f"the records of calling list '{list_name}', one column per field"
    return ViewDefinition(view_name, sql, summary, columns)


def list_index_view(views: dict[str, str]) -> ViewDefinition:
    """The view naming the per-list view of every calling list."""
    if views:
        rows = ",\n".join(
            f"    ({quote_literal(list_name)}, {quote_literal(view)})"
            for list_name, view in sorted(views.items())
        )
        body = f"select *\nfrom (values\n{rows}\n) as lists(list_name, view_name)"
    else:
        body = (
            "select\n    cast(null as varchar) as list_name,\n"
            "    cast(null as varchar) as view_name\nwhere false"
        )
    return ViewDefinition(
        LIST_INDEX_VIEW,
        f"create view {LIST_INDEX_VIEW} as\n{body}",
        "which view holds the records of each calling list",
        {"list_name": "the calling list", "view_name": "its list_<name> view"},
    )


def comment_sql(view: ViewDefinition) -> list[str]:
    """The statements storing a view's documentation as DuckDB comments."""
    name = quote_identifier(view.name)
    statements = [f"comment on view {name} is {quote_literal(view.summary)}"]
    statements.extend(
        f"comment on column {name}.{quote_identifier(column)} "
        f"is {quote_literal(description)}"
        for column, description in view.columns.items()
    )
    return statements
