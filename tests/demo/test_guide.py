"""Tests of the demo's closing guide: commands that run as printed."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from harvester.demo.files import DemoFiles
from harvester.demo.guide import environment, explore_commands, program_path


@pytest.mark.parametrize(
    ("argv0", "expected"),
    [
        (".venv/bin/harvester", ".venv/bin/harvester"),
        ("harvester", "harvester"),
        ("/usr/lib/python3/pytest", "harvester"),
        ("-c", "harvester"),
    ],
)
def test_program_path_follows_how_harvester_was_called(argv0, expected):
    assert program_path(argv0, Path.cwd()) == expected


def test_program_path_is_relative_to_cwd(tmp_path):
    program = tmp_path / ".venv" / "bin" / "harvester"

    assert program_path(str(program), tmp_path) == ".venv/bin/harvester"


def test_environment_points_at_demo_files(tmp_path):
    files = DemoFiles.in_folder(tmp_path)

    assert environment(files, tmp_path) == {
        "HARVESTER_DATABASE_URL": "sqlite:///demo.db",
        "HARVESTER_REPORTING_PATH": "demo.duckdb",
    }


def test_environment_outside_cwd_is_absolute(tmp_path):
    files = DemoFiles.in_folder(tmp_path / "demo")

    values = environment(files, tmp_path / "elsewhere")

    assert values["HARVESTER_DATABASE_URL"] == f"sqlite:///{tmp_path}/demo/demo.db"


def test_explore_commands_quote_awkward_paths(tmp_path):
    files = DemoFiles.in_folder(tmp_path / "my demo")

    lines = explore_commands(files, tmp_path, "harvester")

    exported = dict(word.split("=", 1) for word in shlex.split(lines[0])[1:])
    assert exported["HARVESTER_REPORTING_PATH"] == "my demo/demo.duckdb"
    assert shlex.split(lines[-1])[2] == "my demo/demo.duckdb"


def test_explore_commands_use_running_python(tmp_path):
    files = DemoFiles.in_folder(tmp_path / "demo")

    lines = explore_commands(files, tmp_path / "demo", "harvester")

    python_line = next(line for line in lines if " -c " in line)

    assert shlex.split(python_line)[0] == str(Path(sys.executable).absolute())
