"""Commands that read the tenant: harvest --once and reconcile."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from harvester.commands.common import (
    EXIT_FAILURE,
    EXIT_USAGE,
    harvest_context,
    settings_from,
)
from harvester.harvest.backfill import backfill as backfill_period
from harvester.harvest.cycle import CycleOutcome, harvest_once
from harvester.harvest.reconcile import reconcile as reconcile_lists
from harvester.timeutil import parse_api_time

CAMPAIGN_OPTION = click.option(
    "--campaign", metavar="NAME", default=None, help="Only this campaign (exact name)."
)


def _report(outcome: CycleOutcome, verb: str) -> None:
    harvested = [o for o in outcome.lists if not o.is_skipped]
    records = sum(o.totals.counts.records for o in harvested if o.totals.counts)
    attempts = sum(o.totals.counts.attempts for o in harvested if o.totals.counts)
    click.echo(
        f"{verb} {len(harvested)} campaign lists: {records} records and "
        f"{attempts} attempts stored or updated"
    )
    for campaign, error in sorted(outcome.failures.items()):
        click.echo(f"campaign {campaign!r} failed: {error}", err=True)
    if not outcome.is_success:
        sys.exit(EXIT_FAILURE)


@click.command()
@click.option("--once", is_flag=True, help="Run one full cycle, then exit.")
@CAMPAIGN_OPTION
@click.pass_context
def harvest(ctx: click.Context, once: bool, campaign: str | None) -> None:
    """Reads getCompleted and getChanged of every campaign and list once.

    Each stream is read from its stored watermark minus the lookback until
    caught up. Exits 1 when any campaign failed; the others are still stored.
    For continuous harvesting, use `harvester run`.
    """
    if not once:
        click.echo(
            "error: harvest needs --once; `harvester run` harvests continuously",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    with harvest_context(settings_from(ctx)) as harvest_ctx:
        outcome = harvest_once(harvest_ctx, campaign)
    _report(outcome, "harvested")


@click.command()
@CAMPAIGN_OPTION
@click.pass_context
def reconcile(ctx: click.Context, campaign: str | None) -> None:
    """Sweeps every list by index with getAll, repairing what polls missed.

    Updates entries changed without activity and statuses of every record.
    Exits 1 when any campaign failed; the others are still stored.
    """
    with harvest_context(settings_from(ctx)) as harvest_ctx:
        outcome = reconcile_lists(harvest_ctx, campaign)
    _report(outcome, "reconciled")


def _parse_day_or_time(value: str, option: str) -> datetime:
    try:
        return parse_api_time(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (2026-01-31) or ISO time", param_hint=option
        ) from None


@click.command()
@click.option(
    "--since", required=True, metavar="DATE", help="Start of the period (UTC)."
)
@click.option("--until", default=None, metavar="DATE", help="End of the period (UTC).")
@CAMPAIGN_OPTION
@click.pass_context
def backfill(
    ctx: click.Context, since: str, until: str | None, campaign: str | None
) -> None:
    """Re-reads a past period of every stream without moving the watermarks.

    DATE is a UTC date (2026-01-31) or ISO time (2026-01-31T08:00:00).
    Everything read is upserted, so a backfill never doubles a row.
    """
    start = _parse_day_or_time(since, "--since")
    end = _parse_day_or_time(until, "--until") if until else None
    with (
        harvest_context(settings_from(ctx)) as harvest_ctx,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed} records"),
            TimeElapsedColumn(),
            transient=False,
        ) as progress,
    ):
        tasks: dict[tuple[str, str, str], TaskID] = {}

        def on_page(
            campaign_name: str, list_name: str, stream: str, records: int
        ) -> None:
            key = (campaign_name, list_name, stream)
            if key not in tasks:
                label = f"{campaign_name} / {list_name} / {stream}"
                tasks[key] = progress.add_task(label, total=None)
            progress.advance(tasks[key], records)

        outcome = backfill_period(harvest_ctx, start, end, campaign, on_page)
    _report(outcome, "backfilled")
