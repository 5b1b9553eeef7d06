"""The scanner extensions: installed from the PyPI packages, with no download."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import duckdb
import pytest

from harvester.errors import ReportingError
from harvester.reporting import extensions
from harvester.reporting.extensions import bundled_extension, install_scanner
from tests.reporting.helpers import stock_query


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    """A HOME where DuckDB never installed anything."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


@pytest.mark.parametrize("name", ["sqlite_scanner", "postgres_scanner"])
def test_bundled_extension_is_the_packaged_binary(name):
    binary = bundled_extension(name)
    assert binary is not None
    assert binary.name == f"{name}.duckdb_extension"
    assert binary.parent.name == f"v{duckdb.__version__}"


def test_install_scanner_empty_home_installs_offline(empty_home, tmp_path):
    conn = duckdb.connect()
    conn.execute("set autoinstall_known_extensions = false")

    origin = install_scanner(conn, "sqlite")

    assert origin == str(bundled_extension("sqlite_scanner"))
    installed = list((empty_home / ".duckdb" / "extensions").rglob("sqlite_scanner*"))
    assert [path.name for path in installed if path.suffix == ".duckdb_extension"] == [
        "sqlite_scanner.duckdb_extension"
    ]
    database = tmp_path / "w.db"
    with closing(sqlite3.connect(database)) as source:
        source.execute("create table t (a integer)")
        source.execute("insert into t values (42)")
        source.commit()
    report = duckdb.connect(str(tmp_path / "r.duckdb"))
    report.execute(f"create view v as select * from sqlite_scan('{database}', 't')")
    report.close()
    # A fresh stock session autoloads what was installed; downloads are off.
    assert stock_query(tmp_path / "r.duckdb", "select * from v", empty_home) == [[42]]


def test_install_scanner_without_package_uses_installed_copy(empty_home, monkeypatch):
    install_scanner(duckdb.connect(), "postgresql")
    monkeypatch.setattr(extensions, "bundled_extension", lambda name: None)

    assert install_scanner(duckdb.connect(), "postgresql") == "repository"


def test_install_scanner_unreachable_repository_raises(empty_home, monkeypatch):
    monkeypatch.setattr(extensions, "bundled_extension", lambda name: None)
    conn = duckdb.connect()
    conn.execute("set custom_extension_repository = 'http://127.0.0.1:9'")

    with pytest.raises(
        ReportingError,
        match=r"install the PyPI package 'duckdb-extension-sqlite-scanner",
    ):
        install_scanner(conn, "sqlite")
