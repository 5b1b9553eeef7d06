"""The client and the paging against the simulated tenant over loopback HTTP."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from harvester.api.client import BpccClient
from harvester.api.models import DncDeleteResult
from harvester.api.paging import (
    iter_changed_pages,
    iter_completed_pages,
    iter_list_pages,
)
from harvester.api.transport import RetryPolicy, Timeouts
from harvester.errors import (
    ApiRetriableError,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    UnpageableError,
)
from harvester.simulator import FaultConfig, SimulatorConfig

SIM_RETRY = RetryPolicy(
    total=8, backoff_factor=0.01, backoff_max=0.05, backoff_jitter=0.01
)
READERS: dict[str, Callable[..., Iterator[Any]]] = {
    "completed": iter_completed_pages,
    "changed": iter_changed_pages,
}
AWKWARD_NAMES = [
    "with space.csv",
    "a/b",
    "what?now",
    "hash#tag",
    "100% sure",
    "%2F",
    "this&that=1",
    "Liste été 東京",
    "+plus+",
]


def connect(server: Any, **options: Any) -> BpccClient:
    """A client of the simulated tenant with quick retries."""
    config = server.tenant.config
    options.setdefault("retry", SIM_RETRY)
    options.setdefault("timeouts", Timeouts(connect=2, read=5))
    return BpccClient(server.url, config.client_id, config.client_secret, **options)


def small(**overrides: Any) -> SimulatorConfig:
    """A one-campaign tenant with one list of 50 records."""
    values: dict[str, Any] = {
        "campaigns": 1,
        "shared_lists": 0,
        "records_per_list": 50,
        **overrides,
    }
    return SimulatorConfig(**values)


def first_list(client: BpccClient) -> tuple[str, str]:
    campaign = client.list_campaigns().items[0]
    return campaign.lists[0], campaign.name


def indexes_of(pages) -> list[int | None]:
    return [record.index for page in pages for record in page.items]


def keys_of(pages) -> list[str]:
    return [str(item.entry["id"]) for page in pages for item in page.new_items]


def tied_tenant(server: Any, groups: list[int]) -> list[datetime]:
    """A list "ties.csv" dialed by "Ties"; group g's records share one time.

    Returns the time of each group, a minute apart, all in the past.
    """
    tenant = server.tenant
    tenant.stop_dialing()
    total = sum(groups)
    tenant.add_campaign("Ties", ["ties.csv"])
    tenant.add_records("ties.csv", [{"id": str(n)} for n in range(total)])

    base = tenant.clock.now() - timedelta(hours=1)
    times, first = [], 0
    for group, size in enumerate(groups):
        at = base + timedelta(minutes=group)
        keys = [str(n) for n in range(first, first + size)]
        tenant.inject_attempts("Ties", "ties.csv", keys, at, completes=True)
        times.append(at)
        first += size
    return times


def test_simulator_campaigns_and_server_time(make_simulator):
    server = make_simulator(small(campaigns=2))

    with connect(server) as client:
        page = client.list_campaigns()

    assert sorted(c.name for c in page.items) == sorted(server.tenant.campaigns)
    assert page.server_time == server.clock.now().replace(microsecond=0)


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_simulator_awkward_name_round_trips(make_simulator, name):
    server = make_simulator(small())
    server.tenant.add_campaign(f"Campaign {name}", [name])

    with connect(server) as client:
        client.add_record(name, {"id": "1", "firstName": "Ann"})
        result = client.add_records(name, [{"id": "2"}, {"id": "3"}])
        record = client.get_record(name, f"Campaign {name}", {"id": "1"})
        pages = list(iter_list_pages(client, name, f"Campaign {name}", page_size=2))

    assert result.added == 2
    assert record.entry == {"id": "1", "firstname": "Ann"}
    assert [r.entry["id"] for page in pages for r in page.items] == ["1", "2", "3"]


def test_simulator_max_size_is_capped_and_paging_completes(make_simulator):
    server = make_simulator(small(records_per_list=2300))

    with connect(server) as client:
        list_name, campaign = first_list(client)
        page = client.get_all_records(list_name, campaign, 0, 5000)
        pages = list(iter_list_pages(client, list_name, campaign, page_size=5000))

    assert (page.requested, page.received) == (5000, 1000)
    assert indexes_of(pages) == list(range(2300))


def test_simulator_token_expiring_mid_paging_is_renewed(make_simulator, caplog):
    caplog.set_level(logging.INFO, logger="harvester.api")
    faults = FaultConfig(token_lifetime_seconds=0.3)
    server = make_simulator(small(records_per_list=300, faults=faults))

    with connect(server) as client:
        list_name, campaign = first_list(client)
        pages = []
        for page in iter_list_pages(client, list_name, campaign, page_size=100):
            pages.append(page)
            time.sleep(0.4)

    assert indexes_of(pages) == list(range(300))
    assert faults.counts()["expired_token"] >= 1
    assert "Access token refused" in caplog.text


def test_simulator_short_announced_lifetime_renews_before_expiry(make_simulator):
    faults = FaultConfig(announced_expires_in=1, token_lifetime_seconds=1.0)
    server = make_simulator(small(faults=faults))

    with connect(server) as client:
        client.list_campaigns()
        time.sleep(0.85)
        client.list_campaigns()

    assert faults.counts()["expired_token"] == 0


@pytest.mark.parametrize(
    ("faults", "kind"),
    [
        (FaultConfig(error_rate=0.3, seed=1), "server_error"),
        (FaultConfig(drop_rate=0.3, seed=1), "dropped"),
        (FaultConfig(truncate_rate=0.4, seed=1), "truncated"),
        (FaultConfig(latency_seconds=(0.0, 0.3), seed=1), "latency"),
    ],
)
def test_simulator_fault_is_retried_and_read_completes(make_simulator, faults, kind):
    server = make_simulator(small(records_per_list=40, faults=faults))

    with connect(server, timeouts=Timeouts(connect=2, read=0.2)) as client:
        list_name, campaign = first_list(client)
        pages = list(iter_list_pages(client, list_name, campaign, page_size=5))

    assert indexes_of(pages) == list(range(40))
    assert faults.counts()[kind] > 0


def test_simulator_rate_limit_waits_retry_after(make_simulator, caplog):
    faults = FaultConfig(rate_limit_rate=0.3, retry_after_seconds=1, seed=5)
    server = make_simulator(small(faults=faults))

    with connect(server) as client:
        started = time.monotonic()
        for _ in range(3):
            client.list_campaigns()
        waited = time.monotonic() - started

    limited = faults.counts()["rate_limit"]
    assert limited > 0
    assert waited >= limited
    assert caplog.text.count("reason=http_429 wait_seconds=1.00") == limited


def test_simulator_latency_past_read_timeout_raises_retriable(make_simulator):
    server = make_simulator(small(faults=FaultConfig(latency_seconds=0.4)))
    retry = RetryPolicy(total=2, backoff_factor=0, backoff_max=0, backoff_jitter=0)

    client = connect(server, retry=retry, timeouts=Timeouts(connect=2, read=0.1))
    with pytest.raises(ApiRetriableError, match=r"got no answer after retries"):
        client.list_campaigns()


@pytest.mark.parametrize("stream", ["completed", "changed"])
def test_simulator_ties_at_page_edges_pass_each_record_once(make_simulator, stream):
    server = make_simulator(small())
    times = tied_tenant(server, [12, 12, 12, 4])
    read = READERS[stream]

    with connect(server) as client:
        pages = list(read(client, "ties.csv", "Ties", times[0], page_size=15))

    assert sorted(keys_of(pages), key=int) == [str(n) for n in range(40)]
    assert pages[-1].max_time == times[-1]


@pytest.mark.parametrize("stream", ["completed", "changed"])
def test_simulator_full_page_of_one_time_raises_unpageable(make_simulator, stream):
    server = make_simulator(small())
    times = tied_tenant(server, [2, 30])
    read = READERS[stream]
    pages: list[Any] = []

    with connect(server) as client, pytest.raises(UnpageableError) as caught:
        pages.extend(read(client, "ties.csv", "Ties", times[0], page_size=20))

    keys = keys_of(pages)
    assert caught.value.stuck_at == times[1]
    assert len(set(keys)) == len(keys) >= 20


def test_simulator_unsorted_pages_are_flagged_and_complete(make_simulator, caplog):
    server = make_simulator(small(faults=FaultConfig(unsorted_rate=1.0, seed=2)))
    times = tied_tenant(server, [1] * 12)

    with connect(server) as client:
        pages = list(iter_changed_pages(client, "ties.csv", "Ties", times[0], 5))

    assert sorted(keys_of(pages), key=int) == [str(n) for n in range(12)]
    assert not all(page.is_sorted for page in pages)
    assert "Page not sorted by time list='ties.csv' campaign='Ties'" in caplog.text


def test_simulator_streams_match_ground_truth(make_simulator):
    config = small(records_per_list=80, history_seconds=6 * 3600)
    server = make_simulator(config)
    server.tenant.settle()
    truth = server.tenant.ground_truth()

    with connect(server) as client:
        list_name, campaign = first_list(client)
        changed = list(iter_changed_pages(client, list_name, campaign, config.start))
        completed = list(
            iter_completed_pages(client, list_name, campaign, config.start)
        )

    results = {
        key: result
        for (c, name, key), result in truth.results.items()
        if (c, name) == (campaign, list_name)
    }
    assert sorted(keys_of(changed)) == sorted(results)
    assert sorted(keys_of(completed)) == sorted(
        key for key, result in results.items() if result.completed
    )
    attempts = sum(len(r.attempts) for page in changed for r in page.new_items)
    assert attempts == sum(
        1 for a in truth.attempts if (a.campaign, a.list_name) == (campaign, list_name)
    )


def test_simulator_record_methods_change_the_list(make_simulator):
    server = make_simulator(small())

    with connect(server) as client:
        list_name, campaign = first_list(client)
        client.update_record(list_name, {"id": "1", "tier": "Platinum"})
        updated = client.get_record(list_name, campaign, {"id": "1"})
        with pytest.raises(ConflictError, match=r"answered 409"):
            client.add_record(list_name, {"id": "1"})
        with pytest.raises(NotFoundError, match=r"answered 404"):
            client.update_record(list_name, {"id": "no such record"})
        client.delete_all_records(list_name)
        after = list(iter_list_pages(client, list_name, campaign))

    assert updated.entry["tier"] == "Platinum"
    assert after == []


def test_simulator_unknown_list_raises_not_found(make_simulator):
    server = make_simulator(small())

    with connect(server) as client, pytest.raises(NotFoundError) as caught:
        client.get_all_records("no such list", "no such campaign")

    assert caught.value.names == ("no such list", "no such campaign")


def test_simulator_dnc_methods_count_records(make_simulator):
    server = make_simulator(small())

    with connect(server) as client:
        added = client.add_dnc_records("DNC_List", ["1001", ("1002", "asked")])
        again = client.add_dnc_records("DNC_List", ["1001"])
        replaced = client.replace_dnc_records("DNC_List", ["2001", "2002", "2003"])
        deleted = client.delete_dnc_records("DNC_List", ["2001"])
        emptied = client.delete_all_dnc_records("DNC_List")

    assert (added, again, replaced) == (2, 0, 3)
    assert deleted == DncDeleteResult(deleted=1)
    assert emptied == 2


def test_simulator_wrong_secret_names_client_not_secret(make_simulator, caplog):
    caplog.set_level(logging.DEBUG)
    server = make_simulator(small())
    secret = "wrong-secret-value"
    client = BpccClient(server.url, "harvester", secret, retry=SIM_RETRY)

    with pytest.raises(AuthenticationError, match=r"client id 'harvester'") as caught:
        client.list_campaigns()

    assert secret not in str(caught.value) + repr(client) + caplog.text


def test_simulator_logs_never_show_secret_or_token(make_simulator, caplog):
    caplog.set_level(logging.DEBUG)
    faults = FaultConfig(error_rate=0.2, drop_rate=0.1, truncate_rate=0.1, seed=4)
    server = make_simulator(small(faults=faults))

    with connect(server) as client:
        token = client.get_token().access_token
        list_name, campaign = first_list(client)
        list(iter_list_pages(client, list_name, campaign, page_size=5))

    secret = server.tenant.config.client_secret
    assert "Retrying API call" in caplog.text
    for hidden in (secret, token, "Bearer"):
        assert hidden not in caplog.text
