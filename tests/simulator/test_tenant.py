"""The tenant's helpers that tests use to shape it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from harvester.simulator import SimulatorConfig, Tenant
from harvester.simulator.refusals import (
    DuplicateKeyError,
    InvalidRequestError,
    RecordNotFoundError,
    UnknownNameError,
)


@pytest.fixture
def tenant() -> Tenant:
    tenant = Tenant(SimulatorConfig(campaigns=0, visibility_delay_seconds=(0, 0)))
    tenant.stop_dialing()
    tenant.add_list("people.csv", ["Last", "First"])
    tenant.add_campaign("Survey", ["people.csv"])
    tenant.add_records(
        "people.csv",
        [
            {"First": "Ann", "Last": "Lee", "Phone": "1"},
            {"first": "Bo", "LAST": "Lee", "phone": "2"},
        ],
    )
    return tenant


def test_tenant_several_key_fields_join_with_bar(tenant: Tenant):
    truth = tenant.ground_truth()

    assert set(truth.records) == {("people.csv", "Lee|Ann"), ("people.csv", "Lee|Bo")}
    assert truth.records[("people.csv", "Lee|Bo")] == {
        "first": "Bo",
        "last": "Lee",
        "phone": "2",
    }


def test_tenant_add_records_stops_at_first_bad_record(tenant: Tenant):
    records = [{"first": "Cy", "last": "Ng"}, {"first": "Ann", "last": "Lee"}, {}]

    with pytest.raises(DuplicateKeyError, match="'Lee\\|Ann' already exists"):
        tenant.add_records("people.csv", records)

    assert ("people.csv", "Ng|Cy") in tenant.ground_truth().records


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t: t.add_list("people.csv"), ValueError, "already exists"),
        (lambda t: t.add_campaign("Survey", []), ValueError, "already exists"),
        (lambda t: t.add_records("none.csv", []), UnknownNameError, r"'none\.csv'"),
        (
            lambda t: t.update_record("people.csv", {"first": "X"}),
            InvalidRequestError,
            "'last'",
        ),
        (
            lambda t: t.update_record("people.csv", {"first": "X", "last": "Y"}),
            RecordNotFoundError,
            "'Y\\|X'",
        ),
        (lambda t: t.disable_campaign("Nope"), UnknownNameError, "'Nope'"),
    ],
)
def test_tenant_helpers_refuse_bad_calls(tenant: Tenant, call, error, message):
    with pytest.raises(error, match=message):
        call(tenant)


def test_tenant_add_campaign_creates_missing_list(tenant: Tenant):
    tenant.add_campaign("Other", ["fresh.csv", "people.csv"])

    assert tenant.calling_list("fresh.csv").key_fields == ("id",)
    assert [link.calling_list.name for link in tenant.campaign("Other").links] == [
        "fresh.csv",
        "people.csv",
    ]


def test_tenant_inject_attempts_needs_a_linked_list(tenant: Tenant):
    tenant.add_list("lonely.csv")

    with pytest.raises(UnknownNameError, match=r"does not dial 'lonely\.csv'"):
        tenant.inject_attempts("Survey", "lonely.csv", [], tenant.clock.now())


def test_tenant_inject_attempts_unknown_record(tenant: Tenant):
    with pytest.raises(RecordNotFoundError, match="'Lee'"):
        tenant.inject_attempts("Survey", "people.csv", ["Lee"], tenant.clock.now())


def test_tenant_inject_attempts_fills_results(tenant: Tenant):
    at = tenant.clock.now() - timedelta(minutes=1)

    count = tenant.inject_attempts(
        "Survey",
        "people.csv",
        ["Lee|Ann", "Lee|Bo"],
        at,
        disposition="Product sold",
        agent="mei",
        call_duration=42,
        call_notes="note",
    )

    result = tenant.ground_truth().results[("Survey", "people.csv", "Lee|Ann")]
    assert count == 2
    assert result.completed
    assert result.completed_at == at
    assert result.record_disposition == "Product sold"
    assert result.record_disposition_code == "SALE"
    assert (result.last_agent, result.last_call_duration) == ("mei", 42)
    assert result.last_phone == "1"


def test_tenant_earliest_completion_wins(tenant: Tenant):
    at = tenant.clock.now() - timedelta(minutes=10)
    tenant.inject_attempts(
        "Survey",
        "people.csv",
        ["Lee|Ann"],
        at + timedelta(minutes=5),
        disposition="Not interested",
    )

    tenant.inject_attempts(
        "Survey", "people.csv", ["Lee|Ann"], at, disposition="Product sold"
    )

    result = tenant.ground_truth().results[("Survey", "people.csv", "Lee|Ann")]
    assert result.completed_at == at
    assert result.record_disposition == "Product sold"
    assert result.last_disposition == "Not interested"


def test_tenant_delete_records_forgets_pending_attempts(tenant: Tenant):
    tenant.inject_attempts(
        "Survey",
        "people.csv",
        ["Lee|Ann"],
        tenant.clock.now(),
        visibility_delay_seconds=60,
    )

    assert tenant.delete_records("people.csv") == 2
    tenant.add_records("people.csv", [{"first": "Ann", "last": "Lee"}])
    tenant.settle()

    assert tenant.ground_truth().results == {}


def test_tenant_settle_without_pending_keeps_clock(tenant: Tenant):
    before = tenant.clock.now()

    assert tenant.settle() == before
    assert not tenant.is_dialing


def test_tenant_update_record_keeps_key(tenant: Tenant):
    tenant.update_record("people.csv", {"FIRST": "Ann", "last": "Lee", "Phone": "9"})

    assert tenant.ground_truth().records[("people.csv", "Lee|Ann")]["phone"] == "9"


def test_tenant_dnc_list_exists_by_default(tenant: Tenant):
    tenant.add_dnc_list("Second")

    assert set(tenant.dnc_lists) == {"DNC_List", "Second"}
    with pytest.raises(UnknownNameError, match="DNC list 'x'"):
        tenant.dnc_list("x")
