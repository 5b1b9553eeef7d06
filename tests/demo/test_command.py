"""Tests of `harvester demo`: one short run, end to end, on local files."""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from harvester.cli import main
from harvester.demo import demo
from harvester.demo.command import clock_note, default_duration
from harvester.errors import ConfigurationError
from harvester.warehouse.leases import acquire_daemon_guard


@dataclass(frozen=True)
class DemoRun:
    result: Result
    workdir: Path

    def guide_lines(self) -> list[str]:
        """The indented command lines the demo printed at its end."""
        guide = self.result.output.split("Explore further", 1)[1]
        return [line.strip() for line in guide.splitlines() if line.startswith("  ")]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """One short demo, run in its own folder as `make demo` runs it."""
    workdir = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workdir)
        result = CliRunner().invoke(demo, ["--duration", "6", "--interval", "1"])
    return DemoRun(result, workdir)


def test_demo_exits_zero_after_duration(demo_run):
    assert demo_run.result.exit_code == 0, demo_run.result.output
    assert "Harvesting every 1 s for 6 s (Ctrl-C stops sooner)" in (
        demo_run.result.output
    )


@pytest.mark.parametrize(
    "line_start",
    [
        "✓ Simulated tenant at http://127.0.0.1:",
        "✓ Warehouse demo.db at revision ",
        "✓ Stopping the harvester after the page in flight (",
        "✓ Reporting file demo.duckdb with ",
        "✓ Reading the report (",
        "0:00  attempts ",
    ],
)
def test_demo_shows_each_step(demo_run, line_start):
    lines = demo_run.result.output.splitlines()

    assert any(line.startswith(line_start) for line in lines)


def test_demo_prints_campaign_report(demo_run):
    assert "Campaign KPIs at " in demo_run.result.output
    assert "Spring Renewals" in demo_run.result.output


def test_demo_stores_attempts_in_local_warehouse(demo_run):
    with sqlite3.connect(demo_run.workdir / "demo.db") as conn:
        attempts = conn.execute("select count(*) from call_attempts").fetchone()[0]
        campaigns = conn.execute("select count(*) from campaigns").fetchone()[0]

    assert attempts > 100
    assert campaigns == 4


def test_demo_log_records_clean_stop(demo_run):
    log = (demo_run.workdir / "demo.log").read_text()

    assert "daemon stopped cleanly" in log
    assert "simulator-secret" not in log


def test_demo_guide_exports_demo_files(demo_run):
    assert demo_run.guide_lines()[0] == (
        "export HARVESTER_DATABASE_URL=sqlite:///demo.db "
        "HARVESTER_REPORTING_PATH=demo.duckdb"
    )


def guide_environment(demo_run: DemoRun) -> dict[str, str]:
    words = shlex.split(demo_run.guide_lines()[0])[1:]
    return dict(word.split("=", 1) for word in words)


@pytest.mark.parametrize("position", [1, 2, 3, 4])
def test_demo_guide_harvester_lines_run(demo_run, monkeypatch, position):
    monkeypatch.chdir(demo_run.workdir)
    words = shlex.split(demo_run.guide_lines()[position])

    result = CliRunner().invoke(main, words[1:], env=guide_environment(demo_run))

    assert words[0] == "harvester"
    assert result.exit_code == 0, result.output
    assert "Spring Renewals" in result.output


def test_demo_guide_python_line_reads_views(demo_run):
    words = shlex.split(demo_run.guide_lines()[5])
    env = {**os.environ, **guide_environment(demo_run)}

    done = subprocess.run(
        words, cwd=demo_run.workdir, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    assert "campaign_name" in done.stdout


def test_demo_refuses_folder_of_running_demo(tmp_path):
    guard = acquire_daemon_guard(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        result = CliRunner().invoke(demo, ["--workdir", str(tmp_path)])
    finally:
        guard.release()

    assert isinstance(result.exception, ConfigurationError)
    assert "another harvester daemon is already running" in str(result.exception)


@pytest.mark.parametrize(("is_terminal", "seconds"), [(True, 180.0), (False, 30.0)])
def test_default_duration_depends_on_terminal(is_terminal, seconds):
    assert default_duration(is_terminal) == seconds


@pytest.mark.parametrize(
    ("behind", "note"),
    [
        (None, None),
        (30, None),
        (
            2 * 3600 + 125,
            "The simulated clock stopped 2h 02m behind the real one, "
            "so `harvester status` shows that much more lag.",
        ),
    ],
)
def test_clock_note_only_when_stopped_early(behind, note):
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    tenant_now = None if behind is None else now - timedelta(seconds=behind)

    assert clock_note(tenant_now, now) == note
