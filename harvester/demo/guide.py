"""The demo's closing guide: the exact commands that explore its files further."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import duckdb

from harvester.demo.files import DemoFiles

PROGRAM = "harvester"
SAMPLE_QUERY = (
    "select campaign_name, day, attempts, completions, connects "
    "from campaign_daily order by 1, 2"
)
CSV_QUERY = "select * from call_attempts order by attempt_at desc limit 20"
DUCKDB_QUERY = "select * from campaign_kpis"


def program_path(argv0: str, cwd: Path) -> str:
    """How the user called `harvester`, so that the guide's lines run as typed.

    ``.venv/bin/harvester`` stays as it is; a bare ``harvester`` (found on
    the PATH) or any other caller, such as a test runner, gives ``harvester``.
    """
    path = Path(argv0)
    if path.name != PROGRAM or len(path.parts) == 1:
        return PROGRAM
    return _relative(path.absolute(), cwd)


def python_path(cwd: Path) -> str:
    """The interpreter running the demo, which has DuckDB installed."""
    return _relative(Path(sys.executable).absolute(), cwd)


def _relative(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd.absolute()))
    except ValueError:
        return str(path)


def _double_quoted(text: str) -> str:
    # Python snippets read better in double quotes; shlex.quote would wrap
    # them in single quotes and escape every quote inside.
    if any(char in text for char in '"$`\\!'):
        return shlex.quote(text)
    return f'"{text}"'


def environment(files: DemoFiles, cwd: Path) -> dict[str, str]:
    """The variables that point `harvester` at the demo's warehouse and views."""
    database = files.shown(files.database, cwd)
    return {
        "HARVESTER_DATABASE_URL": f"sqlite:///{database}",
        "HARVESTER_REPORTING_PATH": files.shown(files.reporting, cwd),
    }


def explore_commands(files: DemoFiles, cwd: Path, argv0: str) -> list[str]:
    """The command lines of the guide, each runnable as printed from ``cwd``."""
    program = program_path(argv0, cwd)
    exports = " ".join(
        f"{name}={shlex.quote(value)}"
        for name, value in environment(files, cwd).items()
    )
    reporting = files.shown(files.reporting, cwd)
    snippet = (
        f"import duckdb; duckdb.connect({reporting!r}, read_only=True)"
        f".sql({DUCKDB_QUERY!r}).show()"
    )
    return [
        f"export {exports}",
        f"{program} report",
        f"{program} status",
        f"{program} sql {shlex.quote(SAMPLE_QUERY)}",
        f"{program} sql --format csv {shlex.quote(CSV_QUERY)}",
        f"{python_path(cwd)} -c {_double_quoted(snippet)}",
        f"duckdb -readonly {shlex.quote(reporting)} {shlex.quote(DUCKDB_QUERY)}",
    ]


def guide_text(files: DemoFiles, cwd: Path, argv0: str) -> str:
    """The closing guide as printed, with a line saying what each group does."""
    lines = explore_commands(files, cwd, argv0)
    return "\n".join(
        [
            "Explore further (the files stay until the next demo):",
            "",
            *(f"  {line}" for line in lines[:5]),
            "",
            "The same views from DuckDB itself, in Python or with the DuckDB "
            f"CLI {duckdb.__version__}:",
            "",
            *(f"  {line}" for line in lines[5:]),
        ]
    )
