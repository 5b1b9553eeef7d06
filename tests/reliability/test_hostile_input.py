"""Hostile and malformed API bodies: never a crash, bad items refused, good ones kept.

Property-based: hypothesis draws arbitrary JSON (huge strings, deep nesting,
wrong types, NaN and Infinity, control characters, duplicate keys) and
pages mixing good items with corrupted ones, parses them, stores them in a
real SQLite warehouse, and checks each item's fate.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select

from harvester.api.client import BpccClient
from harvester.api.models import (
    Campaign,
    ItemError,
    parse_campaign,
    parse_changed_record,
    parse_completed_record,
    parse_list_record,
    parse_page,
)
from harvester.api.transport import RetryPolicy
from harvester.errors import ApiRetriableError, MalformedResponseError
from harvester.warehouse import catalog, rejects
from harvester.warehouse.db import as_writer, create_warehouse_engine, upgrade_warehouse
from harvester.warehouse.flatten import dump_json
from harvester.warehouse.models import CallAttemptRow, ListRecordRow, RejectedItemRow
from harvester.warehouse.writes import (
    PageCounts,
    StreamTarget,
    store_changed_page,
    store_completed_page,
    store_list_page,
)
from tests.reliability.hostile import (
    ANY_JSON,
    GOOD_ITEMS,
    SMALL_SCALARS,
    canonical,
    marked_items,
    raw_object,
    with_keys,
)

EXAMPLES = 100
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
PARSERS = {
    "campaign": parse_campaign,
    "list": parse_list_record,
    "completed": parse_completed_record,
    "changed": parse_changed_record,
}
STORES: dict[str, Callable[..., PageCounts]] = {
    "list": store_list_page,
    "completed": store_completed_page,
    "changed": store_changed_page,
}
NOW = datetime(2026, 1, 5, 12, 0, 0)
BASE_URL = "https://tenant.example.com"
API = f"{BASE_URL}/configapi/v2"
COMPLETED_URL = f"{API}/callinglist/getCompleted/list/campaign"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One SQLite warehouse for every example; each example uses fresh names."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'warehouse.db'}"
    engine = create_warehouse_engine(url)
    upgrade_warehouse(engine)
    yield as_writer(engine)
    engine.dispose()


def new_target(engine: Engine) -> StreamTarget:
    """A campaign and calling list seen for the first time."""
    name = uuid.uuid4().hex
    campaign = Campaign(name=f"c-{name}", state="RUNNING", lists=(f"l-{name}",))
    with engine.begin() as conn:
        ids = catalog.sync_catalog(conn, [campaign], NOW, is_complete=False)
    return StreamTarget(
        campaign_id=ids.campaigns[campaign.name],
        list_id=ids.lists[campaign.lists[0]],
        campaign_name=campaign.name,
        list_name=campaign.lists[0],
        key_fields=("id",),
    )


def stored_entries(engine: Engine, target: StreamTarget) -> dict[str, str]:
    query = select(ListRecordRow.record_key, ListRecordRow.entry_json).where(
        ListRecordRow.list_id == target.list_id
    )
    with engine.connect() as conn:
        return {key: entry for key, entry in conn.execute(query)}


def stored_rejected(engine: Engine, target: StreamTarget) -> set[str]:
    query = select(RejectedItemRow.raw_json, RejectedItemRow.reason).where(
        RejectedItemRow.list_name == target.list_name
    )
    with engine.connect() as conn:
        rows = list(conn.execute(query))
    assert all(reason for _, reason in rows)
    return {raw for raw, _ in rows}


def stored_attempts(engine: Engine, target: StreamTarget) -> int:
    query = select(func.count()).where(CallAttemptRow.list_id == target.list_id)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def expected_entry(raw: dict[str, Any]) -> str:
    return dump_json({name.lower(): value for name, value in raw["entry"].items()})


@pytest.mark.parametrize("kind", sorted(PARSERS))
def test_parse_page_arbitrary_json_never_crashes(kind, figures):
    parse = PARSERS[kind]
    tried = []

    @HYPOTHESIS
    @given(body=st.one_of(ANY_JSON, st.lists(ANY_JSON, max_size=8)))
    def check(body):
        tried.append(body)
        if not isinstance(body, list):
            with pytest.raises(ItemError, match="not an array"):
                parse_page(body, parse, requested=10)
            return
        page = parse_page(body, parse, requested=len(body))
        positions = [item.position for item in page.rejected]
        assert len(page.items) + len(page.rejected) == page.received == len(body)
        assert all(item.reason for item in page.rejected)
        assert len(set(positions)) == len(positions)

    check()
    items = sum(len(body) if isinstance(body, list) else 1 for body in tried)
    figures(
        "hostile",
        test="parse arbitrary JSON",
        parser=kind,
        examples=len(tried),
        items=items,
    )


@pytest.mark.parametrize("stream", sorted(STORES))
def test_store_page_hostile_items_good_kept_bad_refused(stream, warehouse, figures):
    tried = []

    @HYPOTHESIS
    @given(marked=marked_items(stream))
    def check(marked):
        tried.append(len(marked))
        target = new_target(warehouse)
        marked = with_keys(marked, target.list_name)
        raws = [raw for _, raw in marked]
        good = [raw for is_good, raw in marked if is_good]
        bad = [raw for is_good, raw in marked if not is_good]

        page = parse_page(raws, PARSERS[stream], requested=len(raws))
        with warehouse.begin() as conn:
            counts = STORES[stream](conn, target, page.items, NOW)
            refused = [*page.rejected, *counts.rejected_items]
            names = (target.campaign_name, target.list_name)
            rejects.store_rejected(conn, "run", names, stream, refused, NOW)

        assert len(refused) == len(bad), [item.reason for item in refused]
        assert stored_entries(warehouse, target) == {
            raw["entry"]["id"]: expected_entry(raw) for raw in good
        }
        assert stored_rejected(warehouse, target) == {canonical(raw) for raw in bad}
        if stream == "changed":
            attempts = sum(len(raw["attempts"]) for raw in good)
            assert stored_attempts(warehouse, target) == attempts

    check()
    figures(
        "hostile",
        test="store good and bad items",
        stream=stream,
        examples=len(tried),
        items=sum(tried),
    )


def duplicated(
    members: dict[str, Any], extra: list[tuple[int, Any]]
) -> list[tuple[str, Any]]:
    """The object's members, then repeated keys carrying other values."""
    keys = list(members)
    return [*members.items(), *((keys[i % len(keys)], v) for i, v in extra)]


@pytest.fixture
def quick_client() -> Iterator[BpccClient]:
    client = BpccClient(
        BASE_URL,
        "harvester",
        "secret-value",
        retry=RetryPolicy(total=1, backoff_factor=0),
    )
    yield client
    client.close()


def serve_once(body: str | bytes, status: int = 200) -> responses.RequestsMock:
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    token = {"access_token": "tok-1", "token_type": "Bearer", "expires_in": "3600"}
    mock.add(responses.POST, f"{API}/oauth/token/", json=token)
    mock.add(responses.POST, COMPLETED_URL, body=body, status=status)
    return mock


def test_client_duplicate_keys_and_nan_last_value_wins(quick_client, figures):
    tried = []
    extra_values = st.lists(st.tuples(st.integers(0, 10), SMALL_SCALARS), max_size=4)

    @HYPOTHESIS
    @given(items=st.lists(st.tuples(GOOD_ITEMS["completed"], extra_values), max_size=3))
    def check(items):
        tried.append(items)
        objects = []
        for item, extra in items:
            item["entry"] = {"id": "k", **item["entry"]}
            entry = raw_object(duplicated(item["entry"], extra))
            members = [
                raw_object([(k, v)])[1:-1] for k, v in item.items() if k != "entry"
            ]
            objects.append("{" + ",".join([*members, f'"entry":{entry}']) + "}")
        body = "[" + ",".join(objects) + "]"
        expected = parse_page(json.loads(body), parse_completed_record, requested=9)

        with serve_once(body):
            page = quick_client.get_completed_records("list", "campaign", NOW, 9)

        assert [i.entry for i in page.items] == [i.entry for i in expected.items]
        assert [i.reason for i in page.rejected] == [
            i.reason for i in expected.rejected
        ]

    check()
    figures(
        "hostile",
        test="duplicate keys through the client",
        examples=len(tried),
        items=sum(len(items) for items in tried),
    )


@pytest.mark.parametrize(
    ("body", "status", "error", "message"),
    [
        ("[" * 5000 + "]" * 5000, 200, MalformedResponseError, "nested too deeply"),
        (
            '[{"entry":' * 3000 + "1" + "}" * 3000 + "]",
            200,
            MalformedResponseError,
            "nested too deeply",
        ),
        (
            '{"error":' + "[" * 5000 + "]" * 5000 + "}",
            500,
            ApiRetriableError,
            "answered 500",
        ),
        (b"[\xff\xfe\x00]", 200, ApiRetriableError, "incomplete JSON body"),
    ],
    ids=["deep-array", "deep-object", "deep-error-body", "not-utf8"],
)
def test_client_unreadable_body_api_error(quick_client, body, status, error, message):
    with serve_once(body, status), pytest.raises(error, match=message):
        quick_client.get_completed_records("list", "campaign", NOW, 9)


@pytest.mark.parametrize(
    ("body", "rejected"),
    [
        ('[{"completedTime": NaN, "entry": {"id": Infinity}}]', 1),
        ('[{"completedTime": "2026-01-05T08:00:00.000", "entry": {"id": NaN}}]', 1),
        ('["' + "x" * 5_000_000 + '"]', 1),
        ('["\\u0000", "\\ud800", "\\u001b[31m", null, -0, 1e999]', 6),
        ('[{"completedTime": "\\ud800", "entry": {}, "status": {}}]', 1),
    ],
    ids=["nan-time", "nan-key", "huge-string", "escapes", "surrogate-time"],
)
def test_client_hostile_items_rejected_one_by_one(quick_client, body, rejected):
    with serve_once(body):
        page = quick_client.get_completed_records("list", "campaign", NOW, 9)

    assert not page.items
    assert len(page.rejected) == page.received == rejected
    assert all(item.reason for item in page.rejected)
