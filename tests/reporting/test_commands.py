"""The reporting commands through click: reporting build, sql and report."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from harvester.cli import HarvesterGroup
from harvester.commands.reporting import report, reporting, sql
from harvester.config import load_settings
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from tests.reporting.sample import fill_sample


@click.group(cls=HarvesterGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """The harvester group as the CLI builds it, holding the reporting commands."""
    ctx.obj = load_settings()


for _command in (reporting, sql, report):
    cli.add_command(_command)


def invoker(env: dict[str, str]):
    """Invokes the CLI with the given environment."""

    def invoke(*args: str):
        return CliRunner().invoke(cli, list(args), env=env)

    return invoke


def sqlite_env(folder: Path) -> dict[str, str]:
    """Settings naming a SQLite warehouse and a reporting file in a folder."""
    return {
        "HARVESTER_DATABASE_URL": f"sqlite:///{folder / 'warehouse.db'}",
        "HARVESTER_REPORTING_PATH": str(folder / "reporting.duckdb"),
    }


@pytest.fixture
def run(tmp_path):
    """The CLI over the SQLite sample, before any reporting build."""
    env = sqlite_env(tmp_path)
    fill_sample_file(env["HARVESTER_DATABASE_URL"])
    return invoker(env)


@pytest.fixture(scope="module")
def built_cli(tmp_path_factory):
    """The CLI over the SQLite sample after `reporting build`, made once.

    The commands read the SQLite file through DuckDB in this process, so no
    sqlite3 connection of the test may stay open beside them.
    """
    env = sqlite_env(tmp_path_factory.mktemp("cli"))
    fill_sample_file(env["HARVESTER_DATABASE_URL"])
    invoke = invoker(env)
    assert invoke("reporting", "build").exit_code == 0
    return invoke


def fill_sample_file(url: str) -> None:
    engine = create_warehouse_engine(url)
    upgrade_warehouse(engine)
    fill_sample(engine)
    engine.dispose()


def test_reporting_build_prints_what_it_built(run, tmp_path):
    result = run("reporting", "build")
    assert result.exit_code == 0
    assert result.output == (
        f"built {tmp_path.resolve() / 'reporting.duckdb'} with 13 views "
        "and 3 calling list views\n"
    )


def test_sql_csv_prints_header_and_rows(built_cli):
    result = built_cli(
        "sql",
        "--format",
        "csv",
        "select campaign_name, attempts, contact_rate from campaign_kpis order by 1",
    )
    assert result.exit_code == 0
    assert result.output == (
        "campaign_name,attempts,contact_rate\n"
        "Old,0,\n"
        "Retention,3,0.6666666666666666\n"
        "Sales,4,0.5\n"
    )


def test_sql_json_prints_array_of_objects(built_cli):
    result = built_cli(
        "sql", "--format", "json", "select * from campaign_daily order by 1, 2 limit 1"
    )
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {
            "campaign_name": "Retention",
            "day": "2026-01-06",
            "attempts": 3,
            "records_attempted": 2,
            "completions": 0,
            "connects": 2,
            "talk_seconds": 75,
        }
    ]


def test_sql_table_is_default(built_cli):
    result = built_cli("sql", "select list_name, view_name from list_views order by 2")
    assert result.exit_code == 0
    assert "view_name" in result.output
    assert "list_list_csv" in result.output


def test_sql_bad_query_exits_2_with_duckdb_message(built_cli):
    result = built_cli("sql", "selec 1")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        'error: Parser Error: syntax error at or near "selec" LINE 1: selec 1 ^\n'
    )


def test_sql_missing_reporting_file_exits_1_telling_to_build(run, tmp_path):
    result = run("sql", "select 1")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: reporting file '{tmp_path / 'reporting.duckdb'}' does not exist; "
        "run `harvester reporting build` to create it\n"
    )


def test_report_prints_campaign_kpis(built_cli):
    result = built_cli("report")
    assert result.exit_code == 0
    assert "Campaign KPIs at" in result.output
    assert "Old (disabled)" in result.output
    lines = [line for line in result.output.splitlines() if "│ Sales" in line]
    assert len(lines) == 1
    for cell in ("4", "3", "2", "66.7%", "50.0%", "3m 00s", "Sale 50.0%"):
        assert cell in lines[0]


def test_report_html_writes_page(built_cli, tmp_path):
    page = tmp_path / "report.html"
    result = built_cli("report", "--html", str(page))
    assert result.exit_code == 0
    assert result.output.endswith(f"wrote {page}\n")
    assert page.read_text().count('<svg class="chart"') == 4


@pytest.mark.parametrize(
    "args",
    [
        ["reporting", "--help"],
        ["reporting", "build", "--help"],
        ["sql", "--help"],
        ["report", "--help"],
    ],
)
def test_reporting_commands_have_help(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 4


def test_report_without_campaigns_says_so(tmp_path, warehouse, database_url):
    env = {
        "HARVESTER_DATABASE_URL": database_url,
        "HARVESTER_REPORTING_PATH": str(tmp_path / "r.duckdb"),
    }
    warehouse.dispose()
    runner = CliRunner()
    assert runner.invoke(cli, ["reporting", "build"], env=env).exit_code == 0
    result = runner.invoke(cli, ["report"], env=env)
    assert result.exit_code == 0
    assert result.output == "no campaigns harvested yet\n"
    assert Path(tmp_path / "r.duckdb").is_file()
