"""Quoting of names and the names of the per-list views."""

from __future__ import annotations

import itertools

import duckdb
import pytest

from harvester.reporting.identifiers import (
    assign_list_views,
    list_view_stem,
    quote_identifier,
    quote_literal,
)

HOSTILE = [
    'x"; drop table y; --',
    "it's",
    "plain",
    "a\"b'c",
    "semi;colon",
    "Ünïcode näme",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_quote_identifier_hostile_name_is_one_column(name):
    conn = duckdb.connect()
    cursor = conn.execute(f"select 1 as {quote_identifier(name)}")
    assert [column[0] for column in cursor.description] == [name]


@pytest.mark.parametrize("text", [*HOSTILE, ""])
def test_quote_literal_hostile_text_round_trips(text):
    conn = duckdb.connect()
    assert conn.execute(f"select {quote_literal(text)}").fetchone() == (text,)


@pytest.mark.parametrize(
    ("list_name", "stem"),
    [
        ("list.csv", "list_list_csv"),
        ("Sales Leads 2026", "list_sales_leads_2026"),
        ("a--b__c", "list_a_b_c"),
        (" padded ", "list__padded_"),
        ("Ünïcode", "list__n_code"),
        ('x"; drop table y; --', "list_x_drop_table_y_"),
        ("123", "list_123"),
    ],
)
def test_list_view_stem_replaces_runs_of_other_chars(list_name, stem):
    assert list_view_stem(list_name) == stem


def test_assign_list_views_clashes_get_suffixes_in_sorted_order():
    views = assign_list_views(["a-b", "A b", "records", "a b"], taken=["list_records"])
    assert views == {
        "A b": "list_a_b",
        "a b": "list_a_b_2",
        "a-b": "list_a_b_3",
        "records": "list_records_2",
    }


def test_assign_list_views_any_input_order_same_names():
    names = ["x.y", "X Y", "x_y", "x__y"]
    results = {
        tuple(sorted(assign_list_views(order, taken=()).items()))
        for order in itertools.permutations(names)
    }
    assert len(results) == 1


def test_assign_list_views_suffix_clash_with_other_stem_stays_unique():
    views = assign_list_views(["a", "A", "a 2"], taken=())
    assert len(set(views.values())) == 3
    assert views["A"] == "list_a"
