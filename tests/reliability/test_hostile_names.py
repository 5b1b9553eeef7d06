"""Names built to break SQL, paths, URLs and logs are stored verbatim.

Campaigns, calling lists, field names and record keys with quotes,
semicolons, newlines, ``../`` and ``%00`` travel through the simulator's
URLs, the warehouse, the log lines and the reporting views unchanged.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select

from harvester.harvest.cycle import harvest_once
from harvester.logs import UtcFormatter
from harvester.reporting import build_reporting
from harvester.reporting.identifiers import quote_identifier
from harvester.reporting.query import run_query
from harvester.simulator import FaultConfig, GroundTruth, SimulatorConfig
from harvester.warehouse.models import (
    CallingListRow,
    CampaignRow,
    RecordFieldRow,
    RejectedItemRow,
)
from tests.reliability.support import harvest_until_success
from tests.truth import compare

CAMPAIGNS = {
    "Robert'); DROP TABLE campaigns;--": "list'; DELETE FROM list_records;--.csv",
    'Say "hi"; select 1 -- \\': "../../etc/passwd",
    "line\nbreak\r\n2026-01-05T08:00:00.000Z ERROR forged": "%00 and %2F and %.csv",
    "slash/question?hash#amp&eq=1 ☎ 電話": "tab\tnew\nline $(rm -rf /) `id`.csv",
}
FIELDS = (
    "First Name",
    "e-mail'; DROP TABLE record_fields;--",
    "../path",
    "%00",
    "line\nbreak",
    'quote"d',
    "{0} %s %(x)s",
)
RECORDS = 40
EMPTY_TENANT = SimulatorConfig(
    seed=23, campaigns=0, records_per_list=0, dial_rate_per_second=0.2
)
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [A-Z]+ \S+ ")


def hostile_entries(list_name: str) -> list[dict[str, str]]:
    return [
        {
            "id": f"key'{number};--\n{list_name[:5]}",
            **{field: f"{field} value {number} '; --\r\n%00" for field in FIELDS},
        }
        for number in range(RECORDS)
    ]


class CountingHandler(logging.StreamHandler[io.StringIO]):
    """A stream handler that counts the records it wrote."""

    def __init__(self, stream: io.StringIO) -> None:
        super().__init__(stream)
        self.records = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.records += 1
        super().emit(record)


@pytest.fixture
def captured_logs() -> Iterator[CountingHandler]:
    """The harvester's log lines at DEBUG, formatted as the CLI formats them."""
    handler = CountingHandler(io.StringIO())
    handler.setFormatter(UtcFormatter())
    logger = logging.getLogger("harvester")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(previous)


def hostile_tenant(make_simulator, faults: FaultConfig | None = None):
    server = make_simulator(replace(EMPTY_TENANT, faults=faults or FaultConfig()))
    tenant = server.tenant
    for campaign, list_name in CAMPAIGNS.items():
        tenant.add_list(list_name)
        tenant.add_records(list_name, hostile_entries(list_name))
        tenant.add_campaign(campaign, [list_name])
    server.clock.advance(6 * 3600)
    tenant.settle()
    return server


def assert_no_forged_lines(handler: CountingHandler, expected: str) -> None:
    """One line per record: no name's newline started a line of its own."""
    lines = handler.stream.getvalue().splitlines()
    assert any(expected in line for line in lines), lines[-20:]
    assert len(lines) == handler.records
    assert all(LOG_LINE.match(line) for line in lines)


def stored_names(engine, column) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(column)).scalars())


def test_harvest_hostile_names_stored_verbatim(
    make_simulator, open_harvest, database_url, captured_logs, tmp_path
):
    # Shuffled pages make the harvester warn, naming the list and campaign.
    server = hostile_tenant(make_simulator, FaultConfig(unsorted_rate=1.0))
    ctx = open_harvest(
        server,
        database_url,
        reporting_path=str(tmp_path / "reporting.duckdb"),
        lookback_seconds=7 * 3600,
    )

    harvest_until_success(ctx)

    truth = server.tenant.ground_truth()
    differences = compare(ctx.engine, truth)
    assert not differences, differences.describe()
    assert len(truth.results) > len(CAMPAIGNS)
    assert stored_names(ctx.engine, CampaignRow.name) == set(CAMPAIGNS)
    assert stored_names(ctx.engine, CallingListRow.name) == set(CAMPAIGNS.values())
    fields = stored_names(ctx.engine, RecordFieldRow.field_name)
    assert fields == {"id", *(field.lower() for field in FIELDS)}
    assert_no_forged_lines(captured_logs, "Page not sorted")


def test_reporting_hostile_names_views_list_them(
    make_simulator, open_harvest, database_url, tmp_path
):
    server = hostile_tenant(make_simulator)
    ctx = open_harvest(
        server,
        database_url,
        reporting_path=str(tmp_path / "reporting.duckdb"),
        lookback_seconds=7 * 3600,
    )
    harvest_until_success(ctx)

    result = build_reporting(ctx.settings)
    campaigns = run_query(ctx.settings, "select campaign_name from campaigns")
    list_views = run_query(ctx.settings, "select list_name, view_name from list_views")

    assert {row[0] for row in campaigns.rows} == set(CAMPAIGNS)
    assert {row[0] for row in list_views.rows} == set(CAMPAIGNS.values())
    assert result.list_views == dict(list_views.rows)
    for view in result.list_views.values():
        columns = run_query(ctx.settings, f"select * from {quote_identifier(view)}")
        assert {name.lower() for name in columns.columns} >= {"record_key", "../path"}


@pytest.mark.parametrize(
    ("campaign", "lists", "reason"),
    [
        ("nul\x00campaign", ["fine.csv"], "NUL character"),
        ("nul list", ["nul\x00list.csv"], "NUL character"),
    ],
    ids=["campaign-name", "list-name"],
)
def test_discovery_unstorable_name_rejected_others_harvested(
    make_simulator, open_harvest, database_url, campaign, lists, reason
):
    server = make_simulator(EMPTY_TENANT)
    tenant = server.tenant
    for list_name in ("good.csv", *lists):
        tenant.add_list(list_name)
        tenant.add_records(list_name, [{"id": str(number)} for number in range(10)])
    tenant.add_campaign("good", ["good.csv"])
    tenant.add_campaign(campaign, lists)
    server.clock.advance(3600)
    tenant.settle()
    ctx = open_harvest(server, database_url, lookback_seconds=7200)

    outcome = harvest_once(ctx)

    assert outcome.is_success, outcome.failures
    assert stored_names(ctx.engine, CampaignRow.name) == {"good"}
    reasons = stored_names(ctx.engine, RejectedItemRow.reason)
    assert any(reason in text for text in reasons), reasons
    truth = only_campaign(tenant.ground_truth(), "good")
    assert truth.results
    differences = compare(ctx.engine, truth)
    assert not differences, differences.describe()


def only_campaign(truth: GroundTruth, campaign: str) -> GroundTruth:
    results = {key: value for key, value in truth.results.items() if key[0] == campaign}
    lists = {list_name for _, list_name, _ in results}
    return replace(
        truth,
        results=results,
        attempts=[a for a in truth.attempts if a.campaign == campaign],
        records={k: v for k, v in truth.records.items() if k[0] in lists},
    )


def test_harvest_dot_list_name_fails_that_list_only(
    make_simulator, open_harvest, sqlite_url, captured_logs
):
    server = make_simulator(EMPTY_TENANT)
    tenant = server.tenant
    campaign = "dots\n2026-01-05T08:00:00.000Z INFO forged line"
    for list_name in ("..", "fine.csv"):
        tenant.add_list(list_name)
        tenant.add_records(list_name, [{"id": str(number)} for number in range(10)])
    tenant.add_campaign(campaign, ["..", "fine.csv"])
    server.clock.advance(3600)
    tenant.settle()
    ctx = open_harvest(server, sqlite_url, lookback_seconds=7200)

    outcome = harvest_once(ctx)

    assert "cannot be a URL path segment" in outcome.failures[campaign]
    fine = [o for o in outcome.lists if o.list_name == "fine.csv"]
    assert fine[0].error is None
    assert fine[0].totals.counts is not None
    assert fine[0].totals.counts.records > 0
    assert_no_forged_lines(captured_logs, "ERROR")
