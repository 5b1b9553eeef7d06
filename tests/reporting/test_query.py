"""Queries against the reporting file, and their output formats."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from harvester.config import Settings
from harvester.errors import QueryError, ReportingError
from harvester.reporting.output import as_json, as_text, write_result
from harvester.reporting.query import QueryResult, run_query

RESULT = QueryResult(
    ("campaign_name", "day", "share", "enabled", "note"),
    [
        ("Sales", date(2026, 1, 5), 0.5, True, None),
        ('Q "4", x', date(2026, 1, 6), 1.0, False, "it's"),
    ],
)


def test_run_query_returns_columns_and_rows(built):
    result = run_query(
        built.settings, "select campaign_name, attempts from campaign_kpis order by 1"
    )
    assert result == QueryResult(
        ("campaign_name", "attempts"), [("Old", 0), ("Retention", 3), ("Sales", 4)]
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("selec 1", r"^Parser Error: syntax error at or near \"selec\" LINE 1: "),
        ("select nope from campaigns", r"^Binder Error: Referenced column \"nope\""),
        ("select * from no_such_view", r"^Catalog Error: Table with name no_such_view"),
        ("create table t (a int)", r"read-only"),
    ],
)
def test_run_query_bad_query_raises_one_line(built, query, message):
    with pytest.raises(QueryError, match=message) as caught:
        run_query(built.settings, query)
    assert "\n" not in str(caught.value)


def test_run_query_missing_file_tells_to_build(tmp_path):
    settings = Settings(reporting_path=str(tmp_path / "absent.duckdb"))
    with pytest.raises(ReportingError, match=r"run `harvester reporting build`"):
        run_query(settings, "select 1")


def test_run_query_not_a_duckdb_file_raises(tmp_path):
    path = tmp_path / "junk.duckdb"
    path.write_text("not a database")
    with pytest.raises(ReportingError, match=r"junk\.duckdb' cannot be opened"):
        run_query(Settings(reporting_path=str(path)), "select 1")


def test_write_result_csv_quotes_and_nulls():
    stream = io.StringIO()
    write_result(RESULT, "csv", stream)
    assert stream.getvalue() == (
        "campaign_name,day,share,enabled,note\n"
        "Sales,2026-01-05,0.5,true,\n"
        '"Q ""4"", x",2026-01-06,1.0,false,it\'s\n'
    )


def test_write_result_json_objects_per_row():
    stream = io.StringIO()
    write_result(RESULT, "json", stream)
    assert json.loads(stream.getvalue()) == [
        {
            "campaign_name": "Sales",
            "day": "2026-01-05",
            "share": 0.5,
            "enabled": True,
            "note": None,
        },
        {
            "campaign_name": 'Q "4", x',
            "day": "2026-01-06",
            "share": 1.0,
            "enabled": False,
            "note": "it's",
        },
    ]


def test_write_result_table_shows_headers_values_and_null():
    stream = io.StringIO()
    write_result(RESULT, "table", stream)
    text = stream.getvalue()
    assert "campaign_name" in text
    assert 'Q "4", x' in text
    assert "NULL" in text
    assert "2026-01-06" in text


@pytest.mark.parametrize(
    ("value", "text", "json_value"),
    [
        (None, "None", None),
        (True, "true", True),
        (3, "3", 3),
        (float("nan"), "nan", None),
        (Decimal("1.50"), "1.50", 1.5),
        (datetime(2026, 1, 5, 8, 0, 1), "2026-01-05 08:00:01", "2026-01-05T08:00:01"),
        ([1, "a"], '[1, "a"]', [1, "a"]),
        ({"k": date(2026, 1, 5)}, '{"k": "2026-01-05"}', {"k": "2026-01-05"}),
        (b"\x01\xff", '"01ff"', "01ff"),
    ],
)
def test_as_text_and_as_json_convert_duckdb_values(value, text, json_value):
    assert as_text(value) == text
    assert as_json(value) == json_value
