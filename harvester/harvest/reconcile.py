"""Reconcile: a full getAll sweep of every list, repairing what polls missed."""

from __future__ import annotations

from harvester.harvest import sweep
from harvester.harvest.context import HarvestContext
from harvester.harvest.cycle import CycleOutcome, ListOutcome, run_cycle, run_leased
from harvester.warehouse import state, writes


def reconcile_list(ctx: HarvestContext, target: writes.StreamTarget) -> ListOutcome:
    """Sweeps one campaign's list by index under its lease."""

    def sweep_all(run_id: str, totals: state.RunTotals) -> None:
        sweep.sweep_list(
            ctx.client,
            ctx.engine,
            target,
            run_id,
            totals,
            page_size=ctx.settings.page_size,
        )
        totals.sweeps += 1

    return run_leased(ctx, target, "reconcile", sweep_all)


def reconcile(ctx: HarvestContext, campaign_name: str | None = None) -> CycleOutcome:
    """Sweeps every list of every enabled campaign (or of the one named)."""
    return run_cycle(ctx, campaign_name, reconcile_list)
