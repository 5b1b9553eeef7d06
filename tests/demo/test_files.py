"""Tests of the demo's files: where they live and what a new demo removes."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.demo.files import DemoFiles


def test_in_folder_creates_missing_folder(tmp_path):
    files = DemoFiles.in_folder(tmp_path / "new" / "demo")

    assert files.workdir.is_dir()
    assert files.database_url == f"sqlite:///{tmp_path / 'new' / 'demo' / 'demo.db'}"


def test_clear_removes_databases_and_keeps_others(tmp_path):
    owned = ["demo.db", "demo.db-wal", "demo.db-shm", "demo.duckdb", "demo.duckdb.wal"]
    kept = ["demo.log", "demo.db.lock", "harvester.db", "notes.txt"]
    for name in owned + kept:
        (tmp_path / name).write_text("x")

    removed = DemoFiles.in_folder(tmp_path).clear()

    assert sorted(path.name for path in removed) == sorted(owned)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(kept)


@pytest.mark.parametrize(
    ("cwd", "expected"),
    [("work", "demo.db"), ("work/sub", "/ABS/work/demo.db"), ("", "work/demo.db")],
)
def test_shown_is_relative_inside_cwd(tmp_path, cwd, expected):
    files = DemoFiles.in_folder(tmp_path / "work")

    shown = files.shown(files.database, tmp_path / cwd)

    assert shown == expected.replace("/ABS", str(tmp_path))


def test_shown_resolves_relative_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = DemoFiles.in_folder(Path("work"))

    assert files.shown(files.reporting, Path()) == "work/demo.duckdb"
