"""Every reporting view over the hand-made sample warehouse, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from harvester.reporting.views import VIEW_ORDER, read_view_files
from tests.reporting.helpers import rounded
from tests.reporting.sample import DISCOVERED_AT, HARVESTED_AT

D5 = date(2026, 1, 5)
D6 = date(2026, 1, 6)

EXPECTED = [
    (
        "select * from campaigns order by 1",
        [
            ("Old", "RUNNING", False, DISCOVERED_AT, DISCOVERED_AT),
            ("Retention", "PAUSED", True, DISCOVERED_AT, HARVESTED_AT),
            ("Sales", "RUNNING", True, DISCOVERED_AT, HARVESTED_AT),
        ],
    ),
    (
        "select * from campaign_lists order by 1, 2",
        [
            ("Old", "legacy"),
            ("Retention", "Shared List"),
            ("Sales", "Shared List"),
            ("Sales", "list.csv"),
        ],
    ),
    (
        "select list_name, record_key, entry from list_records order by 1, 2",
        [
            ("Shared List", "s1", '{"company":"Acme","id":"s1"}'),
            ("Shared List", "s2", '{"company":"Globex","id":"s2"}'),
            ("list.csv", "r1", '{"firstname":"Ann","id":"r1","phone":"555-0001"}'),
            ("list.csv", "r2", '{"firstname":"Bo","id":"r2","phone":"555-0002"}'),
        ],
    ),
    (
        "select * from record_fields where record_key in ('r1', 's2') order by 1, 2, 3",
        [
            ("Shared List", "s2", "company", "Globex"),
            ("Shared List", "s2", "id", "s2"),
            ("list.csv", "r1", "firstname", "Ann"),
            ("list.csv", "r1", "id", "r1"),
            ("list.csv", "r1", "phone", "555-0001"),
        ],
    ),
    (
        "select * exclude (updated_at) from record_results order by 1, 2, 3",
        [
            (
                "Retention",
                "Shared List",
                "s1",
                False,
                None,
                "",
                "",
                1,
                datetime(2026, 1, 6, 14),
                "Not Interested",
                "bob",
                "555-9999",
                30,
            ),
            (
                "Retention",
                "Shared List",
                "s2",
                False,
                None,
                "",
                "",
                2,
                datetime(2026, 1, 6, 15, 5),
                "Callback",
                "ann",
                "555-9999",
                45,
            ),
            (
                "Sales",
                "Shared List",
                "s1",
                True,
                datetime(2026, 1, 5, 8, 46),
                "Sale",
                "S",
                1,
                datetime(2026, 1, 5, 8, 45),
                "Sale",
                "bob",
                "555-9999",
                60,
            ),
            (
                "Sales",
                "list.csv",
                "r1",
                True,
                datetime(2026, 1, 5, 9, 32),
                "Sale",
                "S",
                2,
                datetime(2026, 1, 5, 9, 30),
                "Sale",
                "ann",
                "555-0001",
                120,
            ),
            (
                "Sales",
                "list.csv",
                "r2",
                False,
                None,
                "",
                "",
                1,
                datetime(2026, 1, 6, 10, 15),
                "No Answer",
                "",
                "555-0002",
                0,
            ),
        ],
    ),
    (
        "select global_interaction_id, campaign_name, record_key, attempt_at, agent, "
        "disposition, disposition_code, call_attempted, call_duration, "
        "dialing_duration, cpa_duration, harvested_at "
        "from call_attempts where campaign_name = 'Retention' order by attempt_at",
        [
            (
                "g-s1-2",
                "Retention",
                "s1",
                datetime(2026, 1, 6, 14),
                "bob",
                "Not Interested",
                "NI",
                True,
                30,
                4,
                1,
                HARVESTED_AT,
            ),
            (
                "g-s2-1",
                "Retention",
                "s2",
                datetime(2026, 1, 6, 14, 5),
                "",
                "Busy",
                "B",
                True,
                0,
                4,
                1,
                HARVESTED_AT,
            ),
            (
                None,
                "Retention",
                "s2",
                datetime(2026, 1, 6, 15, 5),
                "ann",
                "Callback",
                "CB",
                True,
                45,
                4,
                1,
                HARVESTED_AT,
            ),
        ],
    ),
    (
        "select * from campaign_daily order by 1, 2",
        [
            ("Retention", D6, 3, 2, 0, 2, 75),
            ("Sales", D5, 3, 2, 2, 2, 180),
            ("Sales", D6, 1, 1, 0, 0, 0),
        ],
    ),
    (
        "select * from harvest_status order by 3",
        [
            (
                "Sales",
                "list.csv",
                "changed",
                datetime(2026, 1, 6, 10, 15),
                HARVESTED_AT,
                None,
            ),
            (
                "Sales",
                "list.csv",
                "completed",
                None,
                None,
                "HTTP 503 from getCompleted",
            ),
        ],
    ),
    (
        "select * from disposition_mix order by 1, 2",
        [
            ("Retention", "Busy", "B", 1, 1 / 3),
            ("Retention", "Callback", "CB", 1, 1 / 3),
            ("Retention", "Not Interested", "NI", 1, 1 / 3),
            ("Sales", "Busy", "B", 1, 0.25),
            ("Sales", "No Answer", "NA", 1, 0.25),
            ("Sales", "Sale", "S", 2, 0.5),
        ],
    ),
    (
        "select * from agent_daily order by 1, 2",
        [
            ("ann", D5, 1, 1, 120, 1, 1),
            ("ann", D6, 1, 1, 45, 1, 1),
            ("bob", D5, 1, 1, 60, 1, 1),
            ("bob", D6, 1, 1, 30, 1, 1),
        ],
    ),
    (
        "select * from attempts_per_completion order by 1",
        [("Sales", 2, 3, 1.5, 1.5, 2)],
    ),
    (
        "select * from contact_rate_by_hour order by 1, 2",
        [
            ("Retention", 14, 2, 1, 0.5),
            ("Retention", 15, 1, 1, 1.0),
            ("Sales", 8, 2, 1, 0.5),
            ("Sales", 9, 1, 1, 1.0),
            ("Sales", 10, 1, 0, 0.0),
        ],
    ),
    (
        "select * from campaign_kpis order by 1",
        [
            ("Old", False, 0, 0, 0, None, 0, None, 0, None, None, None),
            (
                "Retention",
                True,
                3,
                2,
                0,
                0.0,
                2,
                2 / 3,
                75,
                datetime(2026, 1, 6, 15, 5),
                None,
                None,
            ),
            (
                "Sales",
                True,
                4,
                3,
                2,
                2 / 3,
                2,
                0.5,
                180,
                datetime(2026, 1, 6, 10, 15),
                HARVESTED_AT,
                datetime(2026, 1, 6, 10, 15),
            ),
        ],
    ),
    (
        "select * from list_list_csv order by 1",
        [("r1", "Ann", "r1", "555-0001"), ("r2", "Bo", "r2", "555-0002")],
    ),
    (
        "select * from list_shared_list order by 1",
        [("s1", "Acme", "s1"), ("s2", "Globex", "s2")],
    ),
    ("select * from list_legacy", []),
    (
        "select * from list_views order by 2",
        [
            ("legacy", "list_legacy"),
            ("list.csv", "list_list_csv"),
            ("Shared List", "list_shared_list"),
        ],
    ),
]


@pytest.mark.parametrize(("query", "expected"), EXPECTED, ids=lambda v: str(v)[:40])
def test_view_over_sample_returns_known_rows(built, query, expected):
    assert rounded(built.rows(query)) == rounded(expected)


@pytest.mark.parametrize("view", VIEW_ORDER)
def test_view_header_documents_exactly_its_columns(built, view):
    documented = next(d for d in read_view_files() if d.name == view).columns
    described = built.rows(f"select column_name from (describe {view})")
    assert list(documented) == [name for (name,) in described]


def test_view_times_are_timestamps_and_durations_integers(built):
    types = dict(
        built.rows("select column_name, column_type from (describe call_attempts)")
    )
    assert types["attempt_at"] == "TIMESTAMP"
    assert types["harvested_at"] == "TIMESTAMP"
    assert types["call_duration"] == "INTEGER"
    assert types["call_attempted"] == "BOOLEAN"


def test_view_comments_hold_the_file_headers(built):
    comment = built.rows(
        "select comment from duckdb_views() "
        "where schema_name = 'main' and view_name = 'campaigns'"
    )
    column = built.rows(
        "select comment from duckdb_columns() "
        "where table_name = 'campaign_daily' and column_name = 'connects'",
    )
    assert comment == [
        ("which campaigns has the API listed, and is each still enabled?",)
    ]
    assert column == [("attempts with call_duration > 0",)]
