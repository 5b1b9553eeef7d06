"""Routing, authentication and name decoding of the simulator's API."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import pytest
import requests

from harvester.simulator import SimulatorServer
from tests.simulator.conftest import CAMPAIGN, LIST
from tests.simulator.support import TIMEOUT, Api, fetch_token, path_of


def test_token_good_credentials_returns_bearer_token(quiet: SimulatorServer):
    response = fetch_token(quiet, scope="tenant.example")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == "3600"
    assert body["scope"] == "tenant.example"
    assert len(body["access_token"]) >= 32


@pytest.mark.parametrize(
    ("field", "value", "status"),
    [
        ("client_secret", "wrong", 401),
        ("client_id", "someone.else", 401),
        ("grant_type", "password", 400),
    ],
)
def test_token_bad_form_is_refused(quiet: SimulatorServer, field, value, status):
    response = fetch_token(quiet, **{field: value})

    assert response.status_code == status
    assert "error" in response.json()


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer 0123456789ABCDEF", "Basic aGFydmVzdGVyOnNlY3JldA=="],
)
def test_api_bad_authorization_returns_401(quiet: SimulatorServer, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}

    response = requests.get(
        f"{quiet.url}/configapi/v2/campaign/getAll/", headers=headers, timeout=TIMEOUT
    )

    assert response.status_code == 401
    assert "error" in response.json()


def test_api_expired_token_returns_401(quiet: SimulatorServer, api: Api):
    assert api.campaigns().status_code == 200

    quiet.expire_tokens()

    response = api.campaigns()
    assert response.status_code == 401
    assert "expired" in response.json()["error"]


def test_api_token_survives_simulated_days(quiet: SimulatorServer, api: Api):
    quiet.clock.advance(3 * 86_400)

    assert api.campaigns().status_code == 200


@pytest.mark.parametrize(
    "name",
    [
        "with spaces.csv",
        "a/b.csv",
        "what?.csv",
        "#1 list",
        "100% sure",
        "A&B",
        "Ünïcødé 名单",
        "a//b",
        "trailing/",
        "plus+sign",
    ],
)
def test_names_any_characters_round_trip(quiet: SimulatorServer, api: Api, name):
    quiet.tenant.add_campaign(f"campaign {name}", [name])

    added = api.post("callinglist/add", name, json={"id": "1", "Name": name})
    fetched = api.post("callinglist/get", name, f"campaign {name}", json={"id": "1"})
    campaigns = api.campaigns().json()

    assert added.status_code == 200
    assert fetched.status_code == 200
    assert fetched.json()["entry"] == {"id": "1", "name": name}
    assert {"name": f"campaign {name}", "state": "RUNNING", "lists": [name]} in (
        campaigns
    )


def test_names_unknown_list_is_not_found(api: Api):
    response = api.post("callinglist/add", "list", json={"id": "1"})

    assert response.status_code == 404
    assert response.json() == {"error": "calling list 'list' is not found"}


@pytest.mark.parametrize(
    "path",
    [
        "callinglist/frobnicate/list.csv",
        "callinglist/add",
        f"callinglist/getChanged/{LIST}",
        "nothing",
        "",
    ],
)
def test_api_unknown_method_returns_404(api: Api, path):
    response = requests.post(
        f"{api.server.url}/configapi/v2/{path}",
        json={},
        headers=api.headers,
        timeout=TIMEOUT,
    )

    assert response.status_code == 404
    assert "error" in response.json()


def test_api_wrong_http_method_returns_405(api: Api):
    response = requests.post(
        f"{api.server.url}/configapi/v2/campaign/getAll/",
        headers=api.headers,
        timeout=TIMEOUT,
    )

    assert response.status_code == 405


def test_api_date_header_carries_simulated_clock(quiet: SimulatorServer, api: Api):
    quiet.clock.advance(12_345)

    response = api.campaigns()

    stamped = parsedate_to_datetime(response.headers["Date"])
    assert stamped == quiet.clock.now().replace(microsecond=0)


def test_api_trailing_slash_of_campaigns_is_optional(api: Api):
    response = requests.get(
        f"{api.server.url}/configapi/v2/campaign/getAll",
        headers=api.headers,
        timeout=TIMEOUT,
    )

    assert response.status_code == 200
    assert response.json()[0]["name"] == CAMPAIGN


def test_path_of_encodes_every_reserved_character():
    assert path_of("a/b c?#%&") == "a%2Fb%20c%3F%23%25%26"
