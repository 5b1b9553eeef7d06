"""The harvest cycle against the simulator, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from harvester.errors import ConfigurationError
from harvester.harvest.cycle import harvest_once
from harvester.harvest.reconcile import reconcile
from harvester.simulator import FaultConfig, SimulatorConfig
from harvester.warehouse.models import (
    CallAttemptRow,
    CampaignRow,
    HarvestRunRow,
    RecordFieldRow,
)
from tests.truth import compare

HISTORY = SimulatorConfig(
    seed=7,
    campaigns=3,
    records_per_list=120,
    history_seconds=4 * 3600,
    dial_rate_per_second=0.05,
)


def harvest_until_success(ctx, tries: int = 8):
    for _ in range(tries):
        outcome = harvest_once(ctx)
        if outcome.is_success:
            return outcome
    raise AssertionError(f"harvest kept failing: {outcome.failures}")


def count(engine, column) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count(column))).scalar_one())


def test_harvest_once_settled_tenant_equals_truth(make_simulator, harvest_context):
    server = make_simulator(HISTORY)
    server.tenant.settle()
    ctx = harvest_context(server, page_size=50)

    first = harvest_once(ctx)
    second = harvest_once(ctx)

    assert first.is_success, first.failures
    differences = compare(ctx.engine, server.tenant.ground_truth())
    assert not differences, differences.describe()
    assert len(server.tenant.ground_truth().attempts) > 100
    assert sum(o.totals.counts.attempts for o in second.lists if o.totals.counts) == 0


def test_harvest_rounds_while_dialing_lose_nothing(make_simulator, harvest_context):
    server = make_simulator(HISTORY)
    ctx = harvest_context(server, page_size=40, lookback_seconds=900)

    for _ in range(6):
        server.clock.advance(600)
        assert harvest_once(ctx).is_success
    server.tenant.settle()
    assert harvest_once(ctx).is_success

    differences = compare(ctx.engine, server.tenant.ground_truth())
    assert not differences, differences.describe()


def test_harvest_with_every_fault_kind_equals_truth(make_simulator, harvest_context):
    faults = FaultConfig(
        error_rate=0.08,
        rate_limit_rate=0.03,
        retry_after_seconds=0,
        truncate_rate=0.05,
        drop_rate=0.05,
        unsorted_rate=0.2,
        token_lifetime_seconds=2.0,
        latency_seconds=(0.0, 0.01),
    )
    server = make_simulator(replace_config(HISTORY, faults=faults))
    ctx = harvest_context(server, page_size=50)

    for _ in range(3):
        server.clock.advance(900)
        # A token revoked between cycles must be replaced without a failure,
        # whatever the machine's speed does to the short lifetime above.
        server.expire_tokens()
        harvest_until_success(ctx)
    server.tenant.settle()
    harvest_until_success(ctx)

    differences = compare(ctx.engine, server.tenant.ground_truth())
    assert not differences, differences.describe()
    counts = faults.counts()
    assert all(counts[kind] > 0 for kind in counts), counts


def replace_config(config: SimulatorConfig, **changes) -> SimulatorConfig:
    return replace(config, **changes)


def first_campaign_list(tenant) -> tuple[str, str]:
    name = sorted(tenant.campaigns)[0]
    return name, tenant.campaigns[name].links[0].calling_list.name


QUIET = SimulatorConfig(seed=3, campaigns=1, shared_lists=0, records_per_list=60)


def test_harvest_ties_across_page_edges_lose_nothing(make_simulator, harvest_context):
    server = make_simulator(QUIET)
    tenant = server.tenant
    tenant.stop_dialing()
    campaign, list_name = first_campaign_list(tenant)
    keys = [str(n) for n in range(1, 43)]
    at = server.clock.now() - timedelta(minutes=5)
    for offset, group in enumerate([keys[i : i + 7] for i in range(0, 42, 7)]):
        tenant.inject_attempts(
            campaign, list_name, group, at + timedelta(seconds=offset)
        )
    ctx = harvest_context(server, page_size=10)

    assert harvest_once(ctx).is_success

    differences = compare(ctx.engine, tenant.ground_truth())
    assert not differences, differences.describe()
    assert count(ctx.engine, CallAttemptRow.attempt_key) == 42


def test_harvest_full_page_of_one_time_sweeps_the_list(make_simulator, harvest_context):
    server = make_simulator(QUIET)
    tenant = server.tenant
    tenant.stop_dialing()
    campaign, list_name = first_campaign_list(tenant)
    at = server.clock.now() - timedelta(minutes=5)
    tenant.inject_attempts(campaign, list_name, [str(n) for n in range(1, 31)], at)
    ctx = harvest_context(server, page_size=10)

    outcome = harvest_once(ctx)

    assert outcome.is_success, outcome.failures
    assert sum(o.totals.sweeps for o in outcome.lists) >= 1
    with ctx.engine.connect() as conn:
        sweeps = conn.execute(select(func.sum(HarvestRunRow.sweeps))).scalar_one()
    assert sweeps >= 1
    truth = tenant.ground_truth()
    stored_ids = {
        gid
        for (gid,) in ctx.engine.connect().execute(
            select(CallAttemptRow.global_interaction_id)
        )
    }
    assert {a.global_interaction_id for a in truth.attempts} <= stored_ids
    assert len(truth.results) == 30


def test_harvest_campaign_disappears_kept_not_enabled(make_simulator, harvest_context):
    server = make_simulator(HISTORY)
    ctx = harvest_context(server)
    assert harvest_once(ctx).is_success
    gone = sorted(server.tenant.campaigns)[0]

    server.tenant.disable_campaign(gone)
    harvest_once(ctx)
    with ctx.engine.connect() as conn:
        enabled = {
            n: e
            for n, e in conn.execute(select(CampaignRow.name, CampaignRow.is_enabled))
        }
    server.tenant.enable_campaign(gone)
    harvest_once(ctx)
    with ctx.engine.connect() as conn:
        again = {
            n: e
            for n, e in conn.execute(select(CampaignRow.name, CampaignRow.is_enabled))
        }

    assert enabled[gone] is False
    assert sum(enabled.values()) == len(enabled) - 1
    assert all(again.values())


def test_harvest_entry_updated_after_harvest_latest_wins(
    make_simulator, harvest_context
):
    server = make_simulator(QUIET)
    tenant = server.tenant
    tenant.stop_dialing()
    campaign, list_name = first_campaign_list(tenant)
    now = server.clock.now()
    tenant.inject_attempts(campaign, list_name, ["5"], now - timedelta(minutes=2))
    tenant.inject_attempts(campaign, list_name, ["6"], now - timedelta(minutes=30))
    ctx = harvest_context(server, lookback_seconds=900)
    assert harvest_once(ctx).is_success

    tenant.update_record(list_name, {"id": "5", "firstName": "Changed"})
    tenant.update_record(list_name, {"id": "6", "firstName": "Quiet"})
    server.clock.advance(60)
    tenant.inject_attempts(campaign, list_name, ["5"], server.clock.now())
    assert harvest_once(ctx).is_success
    polled = first_names(ctx.engine)
    assert reconcile(ctx).is_success
    reconciled = first_names(ctx.engine)

    assert polled["5"] == "Changed"
    # No activity since, and older than the lookback: only reconcile sees it.
    assert polled["6"] != "Quiet"
    assert reconciled["6"] == "Quiet"


def first_names(engine) -> dict[str, str]:
    query = select(RecordFieldRow.record_key, RecordFieldRow.field_value).where(
        RecordFieldRow.field_name == "firstname"
    )
    with engine.connect() as conn:
        return {key: value for key, value in conn.execute(query)}


def test_reconcile_stores_every_entry_of_every_list(make_simulator, harvest_context):
    server = make_simulator(HISTORY)
    server.tenant.settle()
    ctx = harvest_context(server, page_size=100)

    assert harvest_once(ctx).is_success
    assert reconcile(ctx).is_success

    differences = compare(ctx.engine, server.tenant.ground_truth(), all_records=True)
    assert not differences, differences.describe()


def test_harvest_unknown_campaign_names_it(make_simulator, harvest_context):
    server = make_simulator(QUIET)
    ctx = harvest_context(server)

    with pytest.raises(ConfigurationError, match="campaign 'Nope' is not an enabled"):
        harvest_once(ctx, "Nope")
