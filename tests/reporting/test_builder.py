"""Building the reporting file: atomic, password-free, following lists and fields."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from harvester.config import Settings
from harvester.errors import ConfigurationError, ReportingError, WarehouseError
from harvester.reporting.builder import build_reporting
from harvester.reporting.fields import reporting_signature
from harvester.reporting.views import SQL_PATH_VARIABLE, VIEW_ORDER
from harvester.reporting.writer import LIBPQ_ENV
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from tests.reporting.helpers import stock_query
from tests.reporting.sample import add_campaign_list, one_call_record


def reader(
    settings: Settings, warehouse: Engine | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only session on the reporting file, in this process.

    DuckDB's own SQLite must not share a process with open sqlite3
    connections to the same file (see harvester.reporting.writer), so the
    warehouse's pool is emptied first.
    """
    if warehouse is not None:
        warehouse.dispose()
    return duckdb.connect(settings.reporting_path, read_only=True)


def test_build_reporting_fresh_stock_session_reads_views(
    sample_warehouse, settings, duckdb_home
):
    result = build_reporting(settings)

    counts = stock_query(
        result.path,
        "select (select count(*) from call_attempts), "
        "(select sum(attempts) from campaign_daily), "
        "(select count(*) from list_list_csv)",
        duckdb_home,
    )
    assert counts == [[7, 7, 2]]
    assert result.views == VIEW_ORDER
    assert result.list_views == {
        "Shared List": "list_shared_list",
        "legacy": "list_legacy",
        "list.csv": "list_list_csv",
    }


def test_build_reporting_file_holds_no_password(postgres_url, tmp_path, monkeypatch):
    monkeypatch.delenv(LIBPQ_ENV, raising=False)
    password = "pw-never-stored-7f3a"
    url = make_url(postgres_url).set(password=password).render_as_string(False)
    upgrade_warehouse(url)
    settings = Settings(database_url=url, reporting_path=str(tmp_path / "r.duckdb"))

    result = build_reporting(settings)

    assert password.encode() not in result.path.read_bytes()
    with reader(settings) as conn:
        definitions = conn.execute("select sql from duckdb_views()").fetchall()
    assert any("postgres_scan_pushdown(" in sql for (sql,) in definitions)
    assert not any(password in sql for (sql,) in definitions)
    assert LIBPQ_ENV not in os.environ


def test_build_reporting_rebuild_under_open_reader_keeps_both_working(
    lite_sample, lite_settings, duckdb_home
):
    build_reporting(lite_settings)
    old = reader(lite_settings, lite_sample)
    add_campaign_list(lite_sample, "Fresh", "new list", [one_call_record("n1")])

    result = build_reporting(lite_settings)

    # The old session keeps its file; a new process opens the new one (within
    # one process DuckDB would hand back the instance already open).
    lite_sample.dispose()
    assert old.execute("select count(*) from call_attempts").fetchone() == (8,)
    assert "list_new_list" not in {r[0] for r in old.execute("show tables").fetchall()}
    old.close()
    assert stock_query(result.path, "from list_new_list", duckdb_home) == [["n1", "n1"]]
    assert [p.name for p in result.path.parent.glob(".*")] == []


def test_build_reporting_new_field_becomes_column(lite_sample, lite_settings):
    before = build_reporting(lite_settings)
    add_campaign_list(
        lite_sample, "Sales", "list.csv", [one_call_record("r3", Region="north")]
    )

    after = build_reporting(lite_settings)

    with reader(lite_settings, lite_sample) as conn:
        region = conn.execute(
            "select record_key, region from list_list_csv order by 1"
        ).fetchall()
    assert region == [("r1", None), ("r2", None), ("r3", "north")]
    assert after.signature != before.signature


def test_build_reporting_hostile_names_are_plain_columns(lite_sample, lite_settings):
    hostile = 'x"; DROP TABLE y; --'
    record = one_call_record("h1", **{hostile: "v1", "it's": "v2"})
    add_campaign_list(lite_sample, "Hostile", hostile, [record])

    result = build_reporting(lite_settings)

    view = result.list_views[hostile]
    with reader(lite_settings, lite_sample) as conn:
        cursor = conn.execute(f'select * from "{view}"')
        columns = [column[0] for column in cursor.description]
        assert cursor.fetchall() == [("h1", "h1", "v2", "v1")]
        assert conn.execute("select count(*) from campaigns").fetchone() == (4,)
    assert view == "list_x_drop_table_y_"
    assert columns == ["record_key", "id", "it's", hostile.lower()]


def test_build_reporting_field_named_record_key_gets_suffix(lite_sample, lite_settings):
    record = one_call_record("k1", record_key="theirs")
    add_campaign_list(lite_sample, "Keys", "keys", [record])

    build_reporting(lite_settings)

    with reader(lite_settings, lite_sample) as conn:
        cursor = conn.execute("select * from list_keys")
        assert [c[0] for c in cursor.description] == [
            "record_key",
            "id",
            "record_key_2",
        ]
        assert cursor.fetchall() == [("k1", "k1", "theirs")]


def test_build_reporting_list_named_like_core_view_gets_suffix(
    lite_sample, lite_settings
):
    add_campaign_list(lite_sample, "Clash", "Records", [one_call_record("c1")])

    result = build_reporting(lite_settings)

    assert result.list_views["Records"] == "list_records_2"
    with reader(lite_settings, lite_sample) as conn:
        assert conn.execute("select count(*) from list_records").fetchone() == (5,)


def test_build_reporting_stale_wal_of_old_file_is_dropped(lite_sample, lite_settings):
    Path(lite_settings.reporting_path + ".wal").write_bytes(b"left by a crashed writer")

    build_reporting(lite_settings)

    assert not Path(lite_settings.reporting_path + ".wal").exists()
    with reader(lite_settings, lite_sample) as conn:
        assert conn.execute("select count(*) from campaigns").fetchone() == (3,)


def test_build_reporting_unmigrated_warehouse_raises(tmp_path):
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        reporting_path=str(tmp_path / "r.duckdb"),
    )
    with pytest.raises(WarehouseError, match=r"revision none.*harvester db upgrade"):
        build_reporting(settings)
    assert not (tmp_path / "r.duckdb").exists()


def test_build_reporting_missing_sql_folder_raises(
    lite_sample, lite_settings, tmp_path, monkeypatch
):
    monkeypatch.setenv(SQL_PATH_VARIABLE, str(tmp_path / "nowhere"))
    with pytest.raises(ConfigurationError, match=r"campaigns\.sql' cannot be read"):
        build_reporting(lite_settings)


def test_build_reporting_broken_view_raises_and_keeps_old_file(
    lite_sample, lite_settings, tmp_path, monkeypatch
):
    build_reporting(lite_settings)
    before = Path(lite_settings.reporting_path).read_bytes()
    sql = tmp_path / "sql"
    sql.mkdir()
    for view in VIEW_ORDER:
        (sql / f"{view}.sql").write_text(f"create view {view} as select nope")
    monkeypatch.setenv(SQL_PATH_VARIABLE, str(sql))

    with pytest.raises(ReportingError, match="view 'campaigns' could not be created"):
        build_reporting(lite_settings)

    assert Path(lite_settings.reporting_path).read_bytes() == before
    assert [
        p.name for p in Path(lite_settings.reporting_path).parent.glob(".*tmp*")
    ] == []


def test_reporting_signature_follows_lists_and_fields_only(lite_sample: Engine):
    first = reporting_signature(lite_sample)
    add_campaign_list(lite_sample, "Sales", "list.csv", [one_call_record("r4")])
    same = reporting_signature(lite_sample)
    add_campaign_list(lite_sample, "Sales", "list.csv", [one_call_record("r5", z=1)])
    new_field = reporting_signature(lite_sample)
    add_campaign_list(lite_sample, "Other", "other", [])
    new_list = reporting_signature(lite_sample)

    assert first == same
    assert len({same, new_field, new_list}) == 3


def test_reporting_signature_empty_warehouse_is_stable(warehouse):
    assert reporting_signature(warehouse) == reporting_signature(warehouse)


def test_build_reporting_relative_path_resolves_against_cwd(
    lite_sample, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    settings = Settings(reporting_path="out/r.duckdb")

    result = build_reporting(settings, lite_sample)

    assert result.path == tmp_path.resolve() / "out" / "r.duckdb"
    assert result.path.is_file()


def test_reporting_signature_unmigrated_warehouse_raises(tmp_path):
    engine = create_warehouse_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(WarehouseError, match="could not be read: no such table"):
            reporting_signature(engine)
    finally:
        engine.dispose()


def test_reporting_package_exposes_builder_names_lazily():
    import harvester.reporting as reporting

    assert reporting.build_reporting is build_reporting
    assert reporting.reporting_signature is reporting_signature
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        reporting.nope  # noqa: B018
