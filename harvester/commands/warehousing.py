"""Commands that look after the warehouse: db upgrade, rebuild and status."""

from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from harvester.commands.common import open_warehouse, settings_from
from harvester.timeutil import utcnow
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from harvester.warehouse.rebuild import rebuild as rebuild_tables
from harvester.warehouse.status import read_status


@click.group()
def db() -> None:
    """Manages the warehouse schema."""


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Applies the Alembic migrations to the warehouse (keeps all data)."""
    settings = settings_from(ctx)
    engine = create_warehouse_engine(settings.database_url)
    try:
        revision = upgrade_warehouse(engine)
    finally:
        engine.dispose()
    click.echo(f"warehouse is at revision {revision}")


@click.command()
@click.pass_context
def rebuild(ctx: click.Context) -> None:
    """Rebuilds record_fields, record_results and call_attempts from raw JSON."""
    engine = open_warehouse(settings_from(ctx))
    try:
        counts = rebuild_tables(engine)
    finally:
        engine.dispose()
    click.echo(
        f"rebuilt {counts.records} records, {counts.results} results and "
        f"{counts.attempts} attempts; {counts.failed} raw items could not be read"
    )


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    # A tenant clock ahead of ours gives a negative lag; show it as such.
    sign = "-" if seconds < 0 else ""
    minutes, secs = divmod(int(abs(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return sign + (f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s")


@click.command()
@click.option("--campaign", metavar="NAME", default=None, help="Only this campaign.")
@click.pass_context
def status(ctx: click.Context, campaign: str | None) -> None:
    """Shows watermark, lag, last success and last error per stream."""
    engine = open_warehouse(settings_from(ctx))
    try:
        rows = read_status(engine, campaign)
    finally:
        engine.dispose()
    now = utcnow().replace(tzinfo=None)
    table = Table(
        "campaign", "list", "stream", "watermark", "lag", "last success", "last error"
    )
    for row in rows:
        table.add_row(
            row.campaign + ("" if row.is_enabled else " (disabled)"),
            row.list_name,
            row.stream,
            row.watermark.isoformat(timespec="seconds") if row.watermark else "-",
            _age(row.lag_seconds(now)),
            row.last_success_at.isoformat(timespec="seconds")
            if row.last_success_at
            else "-",
            row.last_error or "",
        )
    if not rows:
        click.echo("nothing harvested yet")
        return
    console = Console()
    if not console.is_terminal:
        # Piped or captured output gets room for whole names, not 80 columns.
        console = Console(width=200)
    console.print(table)
