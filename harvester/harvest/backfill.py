"""Backfill: re-reads a past period of every stream, leaving watermarks alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from harvester.errors import ConfigurationError
from harvester.harvest.context import HarvestContext, PageListener, Window
from harvester.harvest.cycle import CycleOutcome, harvest_list, run_cycle


def backfill(
    ctx: HarvestContext,
    since: datetime,
    until: datetime | None = None,
    campaign_name: str | None = None,
    on_page: PageListener | None = None,
) -> CycleOutcome:
    """Reads both streams of every campaign and list from ``since``.

    Pages are stored as in a harvest (upserts: nothing doubles), but no
    watermark is read or written, so the regular harvest goes on from where
    it was. Reading stops at the first page past ``until``.

    Raises:
        ConfigurationError: ``until`` is not after ``since``.
    """
    if until is not None and until <= since:
        raise ConfigurationError(
            f"--until {until.isoformat()} is not after --since {since.isoformat()}"
        )
    windowed = replace(ctx, window=Window(since, until), on_page=on_page)
    return run_cycle(windowed, campaign_name, harvest_list)
