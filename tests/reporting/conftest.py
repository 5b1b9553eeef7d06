"""Fixtures of the reporting tests: warehouses, built reporting files, a browser."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from harvester.config import Settings
from harvester.reporting.builder import build_reporting
from harvester.reporting.query import open_reporting
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from tests.reporting.helpers import Session, fresh_database
from tests.reporting.sample import fill_sample


@pytest.fixture(scope="package", autouse=True)
def duckdb_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A HOME of its own, where DuckDB installs extensions (~/.duckdb).

    The builds of these tests then install the bundled extensions into an
    empty folder, as on a machine that never ran DuckDB, and leave the
    user's own folder alone.
    """
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        yield home


@pytest.fixture
def warehouse(database_url: str) -> Iterator[Engine]:
    """An empty warehouse at the head revision, on SQLite and PostgreSQL."""
    engine = create_warehouse_engine(database_url)
    upgrade_warehouse(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sample_warehouse(warehouse: Engine) -> Engine:
    """The warehouse filled with the hand-made sample of tests.reporting.sample."""
    fill_sample(warehouse)
    return warehouse


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings naming the test warehouse and a reporting file in tmp_path."""
    return Settings(
        database_url=database_url,
        reporting_path=str(tmp_path / "reporting.duckdb"),
    )


@pytest.fixture
def lite_sample(sqlite_url: str) -> Iterator[Engine]:
    """The sample warehouse on SQLite only.

    For behaviour of the builder that does not depend on the backend; a
    PostgreSQL build costs seconds, since DuckDB connects to bind each scan.
    """
    engine = create_warehouse_engine(sqlite_url)
    upgrade_warehouse(engine)
    fill_sample(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def lite_settings(sqlite_url: str, tmp_path: Path) -> Settings:
    """Settings naming the SQLite warehouse of lite_sample."""
    return Settings(
        database_url=sqlite_url, reporting_path=str(tmp_path / "reporting.duckdb")
    )


@pytest.fixture(scope="package", params=["sqlite", "postgresql"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Session]:
    """A reporting file over the sample warehouse, built once per backend.

    Tests using it only read, so one build serves them all.
    """
    folder = tmp_path_factory.mktemp("sample")
    with fresh_database(request.param, folder) as url:
        engine = create_warehouse_engine(url)
        upgrade_warehouse(engine)
        fill_sample(engine)
        engine.dispose()
        settings = Settings(
            database_url=url, reporting_path=str(folder / "reporting.duckdb")
        )
        build_reporting(settings)
        with open_reporting(settings) as conn:
            yield Session(settings, conn)


def _install_chromium() -> str | None:
    """Installs Debian's chromium where possible; returns why not otherwise."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "chromium is not installed and apt-get as root is not available"
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {done.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of a headless-capable Chromium, installed once when missing."""
    path = shutil.which("chromium")
    if path is None:
        reason = _install_chromium()
        path = shutil.which("chromium")
        if path is None:
            pytest.skip(reason or "chromium could not be installed")
    return path
