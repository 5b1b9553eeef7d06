"""`harvester rebuild` restores the flattened tables from the kept raw JSON."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from harvester.harvest.cycle import harvest_once
from harvester.simulator import SimulatorConfig
from harvester.warehouse.models import CallAttemptRow, RecordFieldRow, RecordResultRow
from harvester.warehouse.rebuild import rebuild
from tests.truth import compare

TENANT = SimulatorConfig(
    seed=5, campaigns=2, records_per_list=80, history_seconds=3 * 3600
)


def test_rebuild_damaged_tables_equal_truth_again(make_simulator, harvest_context):
    server = make_simulator(TENANT)
    server.tenant.settle()
    ctx = harvest_context(server)
    assert harvest_once(ctx).is_success
    with ctx.engine.connect() as conn:
        fields_before = conn.execute(
            select(func.count()).select_from(RecordFieldRow)
        ).scalar()
    with ctx.engine.begin() as conn:
        conn.execute(delete(RecordFieldRow))
        conn.execute(update(CallAttemptRow).values(disposition="damaged", agent=None))
        conn.execute(
            update(RecordResultRow).values(last_disposition=None, total_attempts=0)
        )
    assert compare(ctx.engine, server.tenant.ground_truth())

    counts = rebuild(ctx.engine)

    assert counts.failed == 0
    differences = compare(ctx.engine, server.tenant.ground_truth())
    assert not differences, differences.describe()
    with ctx.engine.connect() as conn:
        fields_after = conn.execute(
            select(func.count()).select_from(RecordFieldRow)
        ).scalar()
    assert fields_after == fields_before > 0
