"""docs/reporting.md documents every view and every column the build makes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harvester.reporting.views import read_view_files

DOC = Path(__file__).resolve().parents[2] / "docs" / "reporting.md"


def documented_columns(view: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split(f"### `{view}`", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)


@pytest.mark.parametrize("view", read_view_files(), ids=lambda view: view.name)
def test_reporting_doc_lists_view_columns_in_order(view):
    assert documented_columns(view.name) == list(view.columns)


def test_reporting_doc_lists_list_views_columns():
    assert documented_columns("list_views") == ["list_name", "view_name"]


@pytest.mark.parametrize(
    "phrase",
    [
        "PGPASSWORD",
        ".pgpass",
        "PGSERVICE",
        "duckdb -readonly",
        "harvester reporting build",
    ],
)
def test_reporting_doc_explains_stock_client_access(phrase):
    assert phrase in DOC.read_text(encoding="utf-8")
