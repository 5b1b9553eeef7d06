"""Replays the API collection's saved examples against the simulator with newman.

``collection.json`` holds the requests and saved example responses of the
published BPCC List Management API collection, reordered so that each request
finds what it needs (a record is added before it is updated), with each
example's status and JSON shape asserted by a newman test script. The tenant
is seeded like the examples: "list.csv" keyed by "id", the campaign
"Outbound Campaign" dialing it, and the DNC list "DNC_List".
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from harvester.simulator import SimulatorConfig, SimulatorServer
from tests.fixtures.simulator import MakeSimulator

ROOT = Path(__file__).resolve().parents[2]
NEWMAN = ROOT / "node_modules" / ".bin" / "newman"
COLLECTION = Path(__file__).with_name("collection.json")

# The records and call attempts the saved examples show.
RECORDS = [
    {"ID": "1", "firstName": "Graham", "lastName": "Smith", "Phone": "16509999999",
     "Status": "Gold"},
    {"ID": "2", "firstName": "Mike", "lastName": "Miller", "Phone": "16507777777",
     "Status": "Platinum"},
    {"ID": "3", "firstName": "Katrina", "lastName": "Johnson", "Phone": "16505555555",
     "Status": "Silver"},
]  # fmt: skip
ATTEMPTS = [
    ("1", "2021-02-19T19:11:40", "No disposition"),
    ("2", "2021-02-19T19:12:21", "Try again later"),
    ("3", "2021-02-19T19:12:37", "Product sold"),
]


@pytest.fixture
def tenant_like_examples(make_simulator: MakeSimulator) -> SimulatorServer:
    """A tenant holding what the collection's saved examples show."""
    config = SimulatorConfig(
        campaigns=0,
        start=datetime(2021, 2, 20, 9, 0, tzinfo=UTC),
        visibility_delay_seconds=(0.0, 0.0),
    )
    server = make_simulator(config)
    tenant = server.tenant
    tenant.stop_dialing()
    tenant.add_list("list.csv", ["id"])
    tenant.add_campaign("Outbound Campaign", ["list.csv"])
    tenant.add_records("list.csv", RECORDS)
    for key, at, disposition in ATTEMPTS:
        when = datetime.fromisoformat(at).replace(tzinfo=UTC)
        tenant.inject_attempts(
            "Outbound Campaign", "list.csv", [key], when, disposition=disposition
        )
    return server


def environment(server: SimulatorServer) -> dict[str, Any]:
    """The newman environment: the tenant's URL, credentials and path names."""
    config = server.tenant.config
    form = {
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "scope": "127.0.0.1",
        "grant_type": "client_credentials",
    }
    token = requests.post(
        f"{server.url}/configapi/v2/oauth/token", data=form, timeout=10
    ).json()["access_token"]
    values = {
        "baseUrl": server.url,
        "accessToken": token,
        "clientId": config.client_id,
        "clientSecret": config.client_secret,
        "scope": "127.0.0.1",
        "list_name": "list.csv",
        # The collection gives the campaign already percent-encoded.
        "campaign_name": "Outbound%20Campaign",
        "campaignname": "Outbound%20Campaign",
        "do_not_call_list_name": "DNC_List",
    }
    return {
        "name": "simulator",
        "values": [{"key": k, "value": v, "enabled": True} for k, v in values.items()],
    }


def run_newman(
    environment_file: Path, report_file: Path
) -> subprocess.CompletedProcess[str]:
    """Runs the collection; the JSON report lands in ``report_file``."""
    if not NEWMAN.exists():
        pytest.fail(
            f"newman is missing at '{NEWMAN}'; install it with `npm ci` "
            "(`make test` does this before running the tests)"
        )
    command = [
        str(NEWMAN), "run", str(COLLECTION), "-e", str(environment_file),
        "--reporters", "cli,json", "--reporter-json-export", str(report_file),
        "--color", "off", "--timeout-request", "10000",
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=180, check=False
    )


def test_newman_saved_examples_conform(tenant_like_examples, tmp_path):
    environment_file = tmp_path / "env.json"
    environment_file.write_text(json.dumps(environment(tenant_like_examples)))
    report_file = tmp_path / "out.json"

    result = run_newman(environment_file, report_file)

    assert report_file.exists(), result.stdout + result.stderr
    run = json.loads(report_file.read_text())["run"]
    failures = [
        f"{failure['source']['name']}: {failure['error']['message']}"
        for failure in run["failures"]
    ]
    assert failures == [], result.stdout
    expected = [item["name"] for item in json.loads(COLLECTION.read_text())["item"]]
    executed = [execution["item"]["name"] for execution in run["executions"]]
    assert executed == expected
    assert run["stats"]["assertions"]["failed"] == 0
    assert run["stats"]["assertions"]["total"] >= 2 * len(expected) - 3
    assert result.returncode == 0
