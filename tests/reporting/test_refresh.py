"""The daemon's reporting refresher rebuilds only when lists or fields change."""

from __future__ import annotations

import duckdb

from harvester.reporting.refresh import ReportingRefresher
from tests.reporting.sample import add_campaign_list, one_call_record


def view_names(path: str) -> set[str]:
    with duckdb.connect(path, read_only=True) as conn:
        rows = conn.execute("select view_name from duckdb_views() where not internal")
        return {name for (name,) in rows.fetchall()}


def test_refresh_rebuilds_on_new_list_only(lite_sample, lite_settings):
    refresher = ReportingRefresher(lite_settings, lite_sample)

    first = refresher.refresh()
    again = refresher.refresh()
    add_campaign_list(lite_sample, "Late Campaign", "late.csv", [one_call_record("1")])
    after_new_list = refresher.refresh()

    assert (first, again, after_new_list) == (True, False, True)
    assert "list_late_csv" in view_names(lite_settings.reporting_path)


def test_refresh_unreachable_warehouse_logs_and_returns_false(lite_settings, caplog):
    from dataclasses import replace

    from harvester.warehouse.db import create_warehouse_engine

    broken = replace(lite_settings, database_url="sqlite:////nonexistent/dir/w.db")
    refresher = ReportingRefresher(broken, create_warehouse_engine(broken.database_url))

    assert refresher.refresh() is False
    assert "reporting file not rebuilt" in caplog.text
