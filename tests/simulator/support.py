"""A minimal HTTP client of the simulator's API, for the simulator's own tests."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from harvester.simulator import SimulatorServer

TIMEOUT = 10
EPOCH = "2000-01-01T00:00:00.000"


def path_of(*names: str) -> str:
    """Names as single percent-encoded path segments."""
    return "/".join(quote(name, safe="") for name in names)


def fetch_token(server: SimulatorServer, **overrides: str) -> requests.Response:
    """Asks the token endpoint for a token with the tenant's credentials."""
    config = server.tenant.config
    form = {
        "client_id": config.client_id,
        "client_secret": config.client_secret,
        "scope": "127.0.0.1",
        "grant_type": "client_credentials",
    }
    form.update(overrides)
    return requests.post(
        f"{server.url}/configapi/v2/oauth/token", data=form, timeout=TIMEOUT
    )


class Api:
    """Calls API methods with a bearer token, returning raw responses."""

    def __init__(self, server: SimulatorServer) -> None:
        self.server = server
        self.token = fetch_token(server).json()["access_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def post(
        self, method: str, *names: str, json: Any = None, data: bytes | None = None
    ) -> requests.Response:
        url = f"{self.server.url}/configapi/v2/{method}/{path_of(*names)}"
        return requests.post(
            url, json=json, data=data, headers=self.headers, timeout=TIMEOUT
        )

    def campaigns(self) -> requests.Response:
        return requests.get(
            f"{self.server.url}/configapi/v2/campaign/getAll/",
            headers=self.headers,
            timeout=TIMEOUT,
        )

    def changed(
        self, list_name: str, campaign: str, from_time: str = EPOCH, size: Any = 1000
    ) -> requests.Response:
        body = {"fromTime": from_time, "maxSize": size}
        return self.post("callinglist/getChanged", list_name, campaign, json=body)

    def completed(
        self, list_name: str, campaign: str, from_time: str = EPOCH, size: Any = 1000
    ) -> requests.Response:
        body = {"fromTime": from_time, "maxSize": size}
        return self.post("callinglist/getCompleted", list_name, campaign, json=body)

    def all(
        self, list_name: str, campaign: str, from_index: Any = 0, size: Any = 1000
    ) -> requests.Response:
        body = {"fromIndex": from_index, "maxSize": size}
        return self.post("callinglist/getAll", list_name, campaign, json=body)


def first_link(server: SimulatorServer) -> tuple[str, str]:
    """The (list, campaign) of the tenant's first campaign's first list."""
    campaign = next(iter(server.tenant.campaigns.values()))
    return campaign.links[0].calling_list.name, campaign.name
