"""The demo's local files: the warehouse, the reporting file and the log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DATABASE_NAME = "demo.db"
REPORTING_NAME = "demo.duckdb"
LOG_NAME = "demo.log"
# What SQLite and DuckDB keep beside their files while they are open.
_COMPANIONS = ("-wal", "-shm", ".wal")


@dataclass(frozen=True)
class DemoFiles:
    """Where one demo keeps its files.

    Attributes:
        workdir: the folder holding them, absolute.
    """

    workdir: Path

    @classmethod
    def in_folder(cls, folder: Path) -> DemoFiles:
        """The files of a demo run in ``folder``, which is created if missing."""
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder.resolve())

    @property
    def database(self) -> Path:
        """The SQLite warehouse."""
        return self.workdir / DATABASE_NAME

    @property
    def reporting(self) -> Path:
        """The DuckDB reporting file."""
        return self.workdir / REPORTING_NAME

    @property
    def log(self) -> Path:
        """The log of the harvester's run."""
        return self.workdir / LOG_NAME

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the warehouse."""
        return f"sqlite:///{self.database}"

    def clear(self) -> list[Path]:
        """Removes an earlier demo's warehouse and views: a new tenant contradicts them.

        The log is left alone: the demo opens it for writing, which empties it.

        Returns:
            The files removed.
        """
        removed = []
        for main in (self.database, self.reporting):
            for path in (main, *(main.with_name(main.name + s) for s in _COMPANIONS)):
                if path.is_file():
                    path.unlink()
                    removed.append(path)
        return removed

    def shown(self, path: Path, cwd: Path) -> str:
        """A path as the user should type it from ``cwd``: relative when inside."""
        try:
            return str(path.relative_to(cwd.resolve()))
        except ValueError:
            return str(path)
