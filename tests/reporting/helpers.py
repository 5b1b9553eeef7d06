"""Helpers shared by the reporting tests: databases, sessions, comparisons."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from harvester.config import Settings
from tests.fixtures.database import (
    create_pg_database,
    drop_pg_database,
    pg_url_for,
    require_postgres,
)

# A stock DuckDB session: no harvester code, no setup, downloads forbidden.
STOCK_SESSION = """
import json, sys
import duckdb
conn = duckdb.connect(sys.argv[1], read_only=True)
conn.execute("set autoinstall_known_extensions = false")
print(json.dumps(conn.execute(sys.argv[2]).fetchall(), default=str))
"""


@dataclass(frozen=True)
class Session:
    """A reporting file's settings and a read-only DuckDB session on it."""

    settings: Settings
    conn: duckdb.DuckDBPyConnection

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        """The rows of a query against the reporting file."""
        return self.conn.execute(query).fetchall()


@contextmanager
def fresh_database(backend: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh warehouse database, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'warehouse.db'}"
        return
    require_postgres()
    name = create_pg_database()
    try:
        yield pg_url_for(name)
    finally:
        drop_pg_database(name)


def rounded(table: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows with floats rounded, so that shares compare exactly."""
    return [
        tuple(round(v, 9) if isinstance(v, float) else v for v in row) for row in table
    ]


def stock_query(path: Path, query: str, home: Path) -> list[Any]:
    """Runs a query in a fresh Python process that only imports duckdb."""
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "")}
    done = subprocess.run(
        [sys.executable, "-I", "-c", STOCK_SESSION, str(path), query],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: list[Any] = json.loads(done.stdout)
    return result
