"""The DuckDB scanner extensions: installing them with no download, and loading them.

The reporting views read the warehouse through DuckDB's ``sqlite_scanner`` and
``postgres_scanner`` extensions. The PyPI packages
``duckdb-extension-sqlite-scanner`` and ``duckdb-extension-postgres-scanner``
ship the extension binaries for the pinned DuckDB release under
``<package>/extensions/v<version>/<name>.duckdb_extension``. Installing from
that file puts the extension into DuckDB's per-user extension folder
(``~/.duckdb/extensions``), from where any later DuckDB session of the same
release, including a stock DuckDB client, autoloads it when a view calls
``sqlite_scan`` or ``postgres_scan_pushdown``. Where the package is missing, DuckDB's
own ``INSTALL`` downloads the extension from its repository.
"""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path

import duckdb

from harvester.errors import ReportingError
from harvester.reporting.identifiers import quote_literal

logger = logging.getLogger(__name__)

# Warehouse backend → the DuckDB extension that scans it.
SCANNERS = {"sqlite": "sqlite_scanner", "postgresql": "postgres_scanner"}


def bundled_extension(name: str) -> Path | None:
    """The extension binary a PyPI package ships for this DuckDB, if installed.

    Args:
        name: the extension, ``sqlite_scanner`` or ``postgres_scanner``.
    """
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        return None

    package = Path(next(iter(spec.submodule_search_locations)))
    binary = (
        package / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    )
    return binary if binary.is_file() else None


def install_scanner(conn: duckdb.DuckDBPyConnection, backend: str) -> str:
    """Installs and loads the scanner of a warehouse backend.

    The bundled binary is preferred, so that building needs no network;
    DuckDB's repository is the fallback.

    Returns:
        Where the extension came from: the bundled file's path, or
        ``repository``.

    Raises:
        ReportingError: the extension could neither be installed nor loaded.
    """
    name = SCANNERS[backend]
    binary = bundled_extension(name)
    origin = str(binary) if binary else "repository"
    statement = f"install {quote_literal(str(binary))}" if binary else f"install {name}"

    try:
        conn.execute(statement)
        conn.execute(f"load {name}")
    except duckdb.Error as exc:
        raise ReportingError(
            f"DuckDB extension '{name}' could not be installed from {origin}: "
            f"{one_line(str(exc))}; install the PyPI package "
            f"'duckdb-extension-{name.replace('_', '-')}=={duckdb.__version__}'"
        ) from exc

    logger.debug("duckdb extension ready extension=%s origin=%s", name, origin)
    return origin


def load_scanner(conn: duckdb.DuckDBPyConnection, backend: str) -> None:
    """Loads the bundled scanner of a backend into a session, installing nothing.

    A read-only session that queries the views then works even where the
    per-user extension folder lacks it (another HOME, a fresh container).
    Without the bundled package, DuckDB's autoloading takes over.
    """
    name = SCANNERS.get(backend)
    binary = bundled_extension(name) if name else None
    if binary is None:
        return
    try:
        conn.execute(f"load {quote_literal(str(binary))}")
    except duckdb.Error as exc:
        logger.warning(
            "bundled duckdb extension not loaded extension=%s error=%s",
            name,
            one_line(str(exc)),
        )


def one_line(message: str) -> str:
    """A DuckDB message on one line: its lines joined, spaces collapsed."""
    return " ".join(message.split())
