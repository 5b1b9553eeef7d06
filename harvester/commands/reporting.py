"""Commands over the DuckDB reporting file: reporting build, sql and report."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from harvester.commands.common import EXIT_USAGE, open_warehouse, settings_from
from harvester.errors import QueryError
from harvester.reporting.builder import build_reporting
from harvester.reporting.kpis import read_report
from harvester.reporting.output import FORMATS, write_result
from harvester.reporting.page import write_html
from harvester.reporting.query import run_query
from harvester.reporting.terminal import print_report


@click.group()
def reporting() -> None:
    """Manages the DuckDB reporting file (HARVESTER_REPORTING_PATH)."""


@reporting.command()
@click.pass_context
def build(ctx: click.Context) -> None:
    """(Re)creates the reporting file and its views over the live warehouse.

    The file holds views only: every query reads the warehouse as it is.
    Rerun after a schema upgrade; the daemon reruns it when lists or fields
    appear. Readers of the old file are not disturbed.
    """
    settings = settings_from(ctx)
    engine = open_warehouse(settings)
    try:
        result = build_reporting(settings, engine)
    finally:
        engine.dispose()
    click.echo(
        f"built {result.path} with {len(result.views)} views and "
        f"{len(result.list_views)} calling list views"
    )


@click.command()
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="Output as a terminal table, CSV or a JSON array of objects.",
)
@click.argument("query")
@click.pass_context
def sql(ctx: click.Context, output_format: str, query: str) -> None:
    """Runs QUERY through DuckDB against the reporting views (read-only).

    Exits 2 when DuckDB refuses or fails the query, with its message.
    Example: harvester sql "select * from campaign_daily order by day"
    """
    try:
        result = run_query(settings_from(ctx), query)
    except QueryError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    write_result(result, output_format, sys.stdout)


@click.command()
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Also write a self-contained HTML page with charts to this file.",
)
@click.pass_context
def report(ctx: click.Context, html_path: Path | None) -> None:
    """Shows campaign KPIs: attempts, completions, rates, talk time and lag.

    Reads the reporting views; run `harvester reporting build` first.
    """
    data = read_report(settings_from(ctx))
    print_report(data, Console(width=200))
    if html_path is not None:
        write_html(data, html_path)
        click.echo(f"wrote {html_path}")
