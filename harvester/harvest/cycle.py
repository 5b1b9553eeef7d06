"""One harvest cycle: discover campaigns, then poll each campaign and list.

For each campaign and calling list, the completed and changed streams are read
from their watermarks (minus the lookback) until caught up. Each page is
stored in one transaction together with its watermark advance, so a crash at
any instant loses nothing and a re-run doubles nothing.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from harvester import metrics
from harvester.api.models import Campaign
from harvester.errors import (
    ApiError,
    ConfigurationError,
    HarvesterError,
    UnpageableError,
    WarehouseError,
)
from harvester.harvest.context import HarvestContext, StopRequested
from harvester.harvest.streams import STREAMS, harvest_stream
from harvester.timeutil import utcnow
from harvester.warehouse import catalog, rejects, state, writes
from harvester.warehouse.flatten import to_naive_utc

logger = logging.getLogger(__name__)

ListWork = Callable[["HarvestContext", writes.StreamTarget], "ListOutcome"]


@dataclass
class ListOutcome:
    """How the harvest of one campaign and list ended."""

    campaign: str
    list_name: str
    totals: state.RunTotals
    error: str | None = None
    is_skipped: bool = False
    run_id: str | None = None


@dataclass
class CycleOutcome:
    """How a cycle ended: every list harvested, and the campaigns that failed."""

    lists: list[ListOutcome] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

    @property
    def is_success(self) -> bool:
        """Whether every campaign was harvested without error."""
        return not self.failures


def discover(ctx: HarvestContext) -> tuple[list[Campaign], catalog.CatalogIds]:
    """Reads the enabled campaigns and records them and their lists."""
    page = ctx.client.list_campaigns()
    now = to_naive_utc(utcnow())
    with ctx.engine.begin() as conn:
        ids = catalog.sync_catalog(conn, page.items, now, is_complete=True)
        rejects.store_rejected(
            conn, str(uuid.uuid4()), (None, None), "campaigns", page.rejected, now
        )
    for item in page.rejected:
        logger.warning("campaign item rejected reason=%s", item.reason)
    return page.items, ids


def select_campaigns(campaigns: Sequence[Campaign], name: str | None) -> list[Campaign]:
    """The campaigns a cycle harvests: all, or the one named.

    Raises:
        ConfigurationError: the named campaign is not an enabled campaign.
    """
    if name is None:
        return list(campaigns)
    chosen = [c for c in campaigns if c.name == name]
    if not chosen:
        known = ", ".join(repr(c.name) for c in campaigns) or "none"
        raise ConfigurationError(
            f"campaign {name!r} is not an enabled campaign of the tenant "
            f"(enabled: {known})"
        )
    return chosen


def harvest_once(ctx: HarvestContext, campaign_name: str | None = None) -> CycleOutcome:
    """Runs one full cycle: discovery, then every campaign and list."""
    return run_cycle(ctx, campaign_name, harvest_list)


def run_cycle(
    ctx: HarvestContext, campaign_name: str | None, work: ListWork
) -> CycleOutcome:
    """Discovers campaigns, then applies ``work`` to each campaign and list."""
    campaigns, ids = discover(ctx)
    outcome = CycleOutcome()
    for campaign in select_campaigns(campaigns, campaign_name):
        lists = harvest_campaign(ctx, campaign, ids, work)
        outcome.lists.extend(lists)
        errors = [f"list {o.list_name!r}: {o.error}" for o in lists if o.error]
        if errors:
            outcome.failures[campaign.name] = "; ".join(errors)
    return outcome


def harvest_campaign(
    ctx: HarvestContext,
    campaign: Campaign,
    ids: catalog.CatalogIds,
    work: ListWork | None = None,
) -> list[ListOutcome]:
    """Harvests every list of a campaign; one failing list does not stop the rest."""
    work = work or harvest_list
    started = time.monotonic()
    outcomes = []
    for list_name in campaign.lists:
        if ctx.stop.is_set():
            raise StopRequested
        target = writes.StreamTarget(
            campaign_id=ids.campaigns[campaign.name],
            list_id=ids.lists[list_name],
            campaign_name=campaign.name,
            list_name=list_name,
            key_fields=ctx.settings.key_fields_for(list_name),
        )
        outcomes.append(work(ctx, target))
    _log_campaign(campaign.name, outcomes, time.monotonic() - started)
    return outcomes


def _log_campaign(name: str, outcomes: list[ListOutcome], seconds: float) -> None:
    harvested = [o for o in outcomes if not o.is_skipped]
    if not harvested:
        # Another replica holds every list of this campaign: nothing to say.
        logger.debug("campaign skipped; leased elsewhere campaign=%r", name)
        return
    counts = writes.PageCounts()
    for o in harvested:
        if o.totals.counts:
            counts.add(o.totals.counts)
    errors = [o.error for o in harvested if o.error]
    metrics.HARVEST_RUNS.labels("failure" if errors else "success").inc()
    log = logger.error if errors else logger.info
    log(
        "campaign harvested campaign=%r runs=%s lists=%d pages=%d records=%d "
        "attempts=%d rejected=%d duration=%.2fs error=%s",
        name,
        ",".join(o.run_id or "-" for o in harvested),
        len(harvested),
        sum(o.totals.pages for o in harvested),
        counts.records,
        counts.attempts,
        counts.rejected,
        seconds,
        "; ".join(errors) if errors else "none",
    )


def harvest_list(ctx: HarvestContext, target: writes.StreamTarget) -> ListOutcome:
    """Harvests both streams of one campaign and list, under its lease."""

    def read_streams(run_id: str, totals: state.RunTotals) -> None:
        for stream in STREAMS:
            harvest_stream(ctx, target, stream, run_id, totals)

    return run_leased(ctx, target, "harvest", read_streams)


def run_leased(
    ctx: HarvestContext,
    target: writes.StreamTarget,
    kind: str,
    work: Callable[[str, state.RunTotals], None],
) -> ListOutcome:
    """Runs work on one campaign and list under its lease, as a recorded run.

    The run is recorded in harvest_runs with its worker, times and totals;
    an API or warehouse error fails this list only, and is noted on its
    streams for `harvester status`.
    """
    totals = state.RunTotals()
    outcome = ListOutcome(target.campaign_name, target.list_name, totals)
    with ctx.lease(target.campaign_name, target.list_name) as is_granted:
        if not is_granted:
            outcome.is_skipped = True
            return outcome
        run_id = outcome.run_id = str(uuid.uuid4())
        with ctx.engine.begin() as conn:
            row_id = state.start_run(
                conn, run_id, kind, _names(target), ctx.worker, _now()
            )
        try:
            work(run_id, totals)
        except (ApiError, UnpageableError, WarehouseError, SQLAlchemyError) as exc:
            if isinstance(exc, ApiError):
                metrics.count_api_error(exc)
            outcome.error = _describe(exc)
            _note_failure(ctx, target, outcome.error)
        finally:
            _finish(ctx, row_id, totals, outcome.error)
    return outcome


def _finish(
    ctx: HarvestContext, row_id: int, totals: state.RunTotals, error: str | None
) -> None:
    try:
        with ctx.engine.begin() as conn:
            state.finish_run(conn, row_id, totals, error, _now())
    except SQLAlchemyError as exc:
        logger.warning("harvest run not closed run=%d error=%s", row_id, _describe(exc))


def _note_failure(ctx: HarvestContext, target: writes.StreamTarget, error: str) -> None:
    try:
        with ctx.engine.begin() as conn:
            for stream in STREAMS:
                ids = (target.campaign_id, target.list_id, stream)
                state.record_stream_error(conn, ids, error, _now())
    except SQLAlchemyError as exc:
        logger.warning("stream error not recorded error=%s", _describe(exc))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, HarvesterError):
        return str(exc)
    if isinstance(exc, SQLAlchemyError):
        # The driver's first line names the problem without the statement.
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return f"warehouse error: {detail}"
    return f"{type(exc).__name__}: {exc}"


def _names(target: writes.StreamTarget) -> tuple[str, str]:
    return target.campaign_name, target.list_name


def _now() -> Any:
    return to_naive_utc(utcnow())
