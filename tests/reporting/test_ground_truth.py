"""The views after a real harvest of the simulator equal its ground truth.

One simulated tenant (with a campaign and list whose names hold quotes and
semicolons, and attempts lacking an interaction id) is harvested over HTTP
into SQLite and into PostgreSQL; every view is compared with figures
computed in Python from the tenant's visible state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from harvester.api.client import BpccClient
from harvester.config import Settings
from harvester.harvest.context import HarvestContext
from harvester.harvest.cycle import harvest_once
from harvester.reporting.builder import BuildResult, build_reporting
from harvester.reporting.identifiers import quote_identifier
from harvester.reporting.query import open_reporting
from harvester.simulator import SimulatorConfig, SimulatorServer
from harvester.simulator.truth import GroundTruth
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse
from tests.fixtures.simulator import start_simulator
from tests.reporting import truth_figures as figures
from tests.reporting.helpers import Session, fresh_database, rounded

ODD_CAMPAIGN = 'VIP "gold"; --'
ODD_LIST = "it's VIP; list"
ODD_FIELD = 'note"; drop table campaigns; --'


@dataclass(frozen=True)
class Harvested:
    """A reporting session over a harvest of the simulator, and its truth."""

    session: Session
    truth: GroundTruth
    build: BuildResult
    campaigns: tuple[str, ...]

    def rows(self, query: str) -> list[tuple[Any, ...]]:
        return self.session.rows(query)


def _shape_tenant(server: SimulatorServer) -> None:
    tenant = server.tenant
    tenant.add_list(ODD_LIST)
    tenant.add_records(
        ODD_LIST,
        [{"id": f"v{n}", "firstName": "Zoë", ODD_FIELD: f"it's {n}"} for n in range(5)],
    )
    tenant.add_campaign(ODD_CAMPAIGN, [ODD_LIST])
    at = server.clock.now() - timedelta(minutes=30)
    tenant.inject_attempts(ODD_CAMPAIGN, ODD_LIST, ["v0", "v1"], at)
    tenant.inject_attempts(
        ODD_CAMPAIGN,
        ODD_LIST,
        ["v1", "v2"],
        at + timedelta(minutes=5),
        disposition="Product sold",
        has_interaction_id=False,
    )


@pytest.fixture(scope="module")
def tenant() -> Iterator[SimulatorServer]:
    """A settled tenant: three campaigns, a shared list, an odd campaign."""
    config = SimulatorConfig(
        seed=5, history_seconds=3 * 3600, missing_interaction_id_rate=0.1
    )
    server = start_simulator(config)
    _shape_tenant(server)
    server.tenant.settle()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def harvested(
    request: pytest.FixtureRequest,
    tenant: SimulatorServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Harvested]:
    """The tenant harvested once into a fresh warehouse, and the views built."""
    folder: Path = tmp_path_factory.mktemp("harvest")
    with fresh_database(request.param, folder) as url:
        settings = Settings(
            base_url=tenant.url,
            client_id=tenant.tenant.config.client_id,
            client_secret=tenant.tenant.config.client_secret,
            database_url=url,
            reporting_path=str(folder / "reporting.duckdb"),
        )
        engine = create_warehouse_engine(url)
        upgrade_warehouse(engine)
        client = BpccClient.from_settings(settings)
        try:
            outcome = harvest_once(HarvestContext(settings, client, engine))
            build = build_reporting(settings, engine)
        finally:
            client.close()
            engine.dispose()
        assert outcome.is_success
        with open_reporting(settings) as conn:
            yield Harvested(
                Session(settings, conn),
                tenant.tenant.ground_truth(),
                build,
                tuple(tenant.tenant.campaigns),
            )


def test_campaigns_view_lists_tenant_campaigns(harvested):
    assert harvested.rows(
        "select campaign_name, state, enabled from campaigns order by 1"
    ) == sorted((name, "RUNNING", True) for name in harvested.campaigns)


def test_campaign_lists_view_matches_tenant_links(harvested, tenant):
    links = sorted(
        (campaign.name, link.calling_list.name)
        for campaign in tenant.tenant.campaigns.values()
        for link in campaign.links
    )
    assert harvested.rows("select * from campaign_lists order by 1, 2") == links


def test_list_records_view_matches_truth_entries(harvested):
    view = harvested.rows("select list_name, record_key, entry from list_records")
    assert sorted(figures.parsed_entries(view)) == figures.list_records(harvested.truth)


def test_record_fields_view_matches_truth_entries(harvested):
    view = harvested.rows("select * from record_fields order by all")
    assert view == figures.record_fields(harvested.truth)


def test_record_results_view_matches_truth(harvested):
    view = harvested.rows(
        "select * exclude (updated_at) from record_results order by all"
    )
    assert view == figures.record_results(harvested.truth)


def test_call_attempts_view_matches_truth(harvested):
    view = harvested.rows("select * exclude (harvested_at) from call_attempts")
    assert sorted(view, key=repr) == figures.call_attempts(harvested.truth)
    assert any(row[0] is None for row in view)


def test_campaign_daily_view_matches_truth(harvested):
    view = harvested.rows("select * from campaign_daily order by 1, 2")
    assert view == figures.campaign_daily(harvested.truth)


def test_harvest_status_view_has_both_streams_of_every_link(harvested):
    view = harvested.rows(
        "select campaign_name, list_name, stream, last_error is null, "
        "last_success_at is not null from harvest_status order by all"
    )
    links = harvested.rows("select * from campaign_lists order by all")
    assert view == [
        (campaign, list_name, stream, True, True)
        for campaign, list_name in links
        for stream in ("changed", "completed")
    ]


def test_disposition_mix_view_matches_truth(harvested):
    view = harvested.rows(
        "select campaign_name, disposition, attempts, share "
        "from disposition_mix order by 1, 2"
    )
    assert rounded(view) == rounded(figures.disposition_mix(harvested.truth))


def test_agent_daily_view_matches_truth(harvested):
    view = harvested.rows("select * from agent_daily order by 1, 2")
    assert view == figures.agent_daily(harvested.truth)


def test_attempts_per_completion_view_matches_truth(harvested):
    view = harvested.rows("select * from attempts_per_completion order by 1")
    assert rounded(view) == rounded(figures.attempts_per_completion(harvested.truth))


def test_contact_rate_by_hour_view_matches_truth(harvested):
    view = harvested.rows("select * from contact_rate_by_hour order by 1, 2")
    assert rounded(view) == rounded(figures.contact_rate_by_hour(harvested.truth))


def test_campaign_kpis_view_matches_truth(harvested):
    view = harvested.rows(
        "select campaign_name, attempts, records_attempted, completions, "
        "completion_rate, connects, contact_rate, talk_seconds "
        "from campaign_kpis order by 1"
    )
    expected = figures.campaign_kpis(harvested.truth, harvested.campaigns)
    assert rounded(view) == rounded(expected)


def test_list_views_match_truth_entries(harvested):
    assert set(harvested.build.list_views) == {
        name for name, _ in harvested.truth.records
    }
    for list_name, view in harvested.build.list_views.items():
        cursor = harvested.session.conn.execute(
            f"select * from {quote_identifier(view)} order by 1"
        )
        columns = [column[0] for column in cursor.description]
        assert (columns, cursor.fetchall()) == figures.list_view(
            harvested.truth, list_name
        )


def test_odd_names_are_plain_values_and_columns(harvested):
    view = harvested.build.list_views[ODD_LIST]
    fields = harvested.rows(
        f"select {quote_identifier(ODD_FIELD)} from {quote_identifier(view)} order by 1"
    )
    attempts = harvested.rows(
        "select count(*) from call_attempts where campaign_name = 'VIP \"gold\"; --'"
    )
    called = sorted(
        entry[ODD_FIELD]
        for (list_name, _), entry in figures.harvested_records(harvested.truth).items()
        if list_name == ODD_LIST
    )
    assert view == "list_it_s_vip_list"
    assert [value for (value,) in fields] == called
    assert {"it's 0", "it's 1", "it's 2"} <= set(called)
    assert attempts == [
        (sum(1 for a in harvested.truth.attempts if a.campaign == ODD_CAMPAIGN),)
    ]
