"""The client secret and the tokens never leave the process that needs them.

A harvest through faults (expired tokens, errors, dropped connections) at
DEBUG level, then a scan of everything it left behind: log lines, every
value of every warehouse table (and the SQLite file's bytes), the /metrics
text, the reporting file, error messages and reprs.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import responses
from prometheus_client import generate_latest
from sqlalchemy import MetaData, select

from harvester.api.client import BpccClient
from harvester.errors import ApiError, AuthenticationError
from harvester.reporting import build_reporting
from harvester.simulator import FaultConfig, SimulatorConfig, SimulatorServer
from harvester.warehouse.db import create_warehouse_engine
from tests.harvest.conftest import settings_for
from tests.harvest.test_crash import harvest_env
from tests.reliability.support import (
    FAST_RETRY,
    backend_of,
    create_schema,
    harvest_until_success,
)

FAULTS = FaultConfig(
    error_rate=0.05,
    rate_limit_rate=0.03,
    retry_after_seconds=0,
    token_lifetime_seconds=0.3,
    truncate_rate=0.03,
    drop_rate=0.03,
)


def tenant_with_secret() -> SimulatorConfig:
    return SimulatorConfig(
        seed=29,
        campaigns=2,
        records_per_list=150,
        history_seconds=3 * 3600,
        client_secret=f"Sim-S3cret-{uuid.uuid4().hex}",
        faults=replace(FAULTS),
    )


def record_tokens(
    server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> list[str]:
    """Keeps every token the simulator issues, to look for them afterwards."""
    issued: list[str] = []
    issue = server.tokens.issue

    def issue_and_record() -> tuple[str, int]:
        token, expires_in = issue()
        issued.append(token)
        return token, expires_in

    monkeypatch.setattr(server.tokens, "issue", issue_and_record)
    return issued


def with_password(url: str, password: str) -> str:
    """A PostgreSQL URL with a password (the test server trusts and ignores it)."""
    scheme, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:{password}@{host}"


def warehouse_text(url: str) -> str:
    """Every value of every table of the warehouse, as text."""
    engine = create_warehouse_engine(url)
    metadata = MetaData()
    parts: list[str] = []
    try:
        with engine.connect() as conn:
            metadata.reflect(conn)
            for table in metadata.sorted_tables:
                for row in conn.execute(select(table)):
                    parts.extend(str(value) for value in row)
    finally:
        engine.dispose()
    return "\n".join(parts)


def sqlite_bytes(url: str) -> bytes:
    path = Path(url.removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def leaks(secrets: list[str], text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        return [s for s in secrets if s.encode() in text]
    return [s for s in secrets if s in text]


def test_harvest_with_faults_leaks_no_secret(
    make_simulator,
    open_harvest,
    database_url,
    caplog,
    monkeypatch,
    tmp_path,
    figures,
):
    server = make_simulator(tenant_with_secret())
    issued = record_tokens(server, monkeypatch)
    password = f"Pg-Pa55-{uuid.uuid4().hex}"
    if backend_of(database_url) == "postgresql":
        database_url = with_password(database_url, password)
    reporting = tmp_path / "reporting.duckdb"
    caplog.set_level(logging.DEBUG)
    ctx = open_harvest(server, database_url, reporting_path=str(reporting))

    for _ in range(2):
        server.clock.advance(1800)
        harvest_until_success(ctx)
    build_reporting(ctx.settings)

    secrets = [server.tenant.config.client_secret, password, *issued]
    logs = caplog.text + "".join(r.getMessage() for r in caplog.records)
    figures(
        "secrets",
        database=backend_of(database_url),
        tokens_issued=len(issued),
        injected=server.fault_counts(),
        log_records=len(caplog.records),
    )
    assert len(issued) >= 2
    assert leaks(secrets, logs) == []
    assert leaks(secrets, warehouse_text(database_url)) == []
    assert leaks(secrets, generate_latest()) == []
    assert leaks(secrets, reporting.read_bytes()) == []
    assert leaks(secrets, repr(ctx.settings) + repr(ctx.client)) == []
    if backend_of(database_url) == "sqlite":
        assert leaks(secrets, sqlite_bytes(database_url)) == []


def test_cli_harvest_debug_output_leaks_no_secret(
    make_simulator, sqlite_url, monkeypatch
):
    server = make_simulator(tenant_with_secret())
    issued = record_tokens(server, monkeypatch)
    create_schema(server, sqlite_url)
    env = harvest_env(settings_for(server, sqlite_url)) | {
        "HARVESTER_LOG_LEVEL": "DEBUG"
    }

    done = subprocess.run(
        [sys.executable, "-m", "harvester", "harvest", "--once"],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )

    secrets = [server.tenant.config.client_secret, *issued]
    assert b" DEBUG harvester.api.session API call" in done.stderr
    assert issued
    assert leaks(secrets, done.stdout + done.stderr) == []


def test_client_wrong_secret_error_names_no_secret(make_simulator):
    server = make_simulator(tenant_with_secret())
    wrong = f"Wrong-{uuid.uuid4().hex}"
    client = BpccClient(server.url, "harvester", wrong, retry=FAST_RETRY)

    with pytest.raises(
        AuthenticationError, match="check BPCC_CLIENT_ID and BPCC_CLIENT_SECRET"
    ) as info:
        client.list_campaigns()
    client.close()

    assert wrong not in str(info.value)
    assert wrong not in repr(info.value) + repr(client)


BASE_URL = "https://tenant.example.com"
API = f"{BASE_URL}/configapi/v2"


def echo(request):
    """An error answer that repeats the request: its body and its headers."""
    headers = dict(request.headers)
    body = request.body if isinstance(request.body, str) else (request.body or b"")
    text = body.decode() if isinstance(body, bytes) else body
    return 500, {}, json.dumps({"error": f"bad request {text} {headers}"})


@pytest.mark.parametrize("status", [401, 500])
def test_client_error_echoing_request_names_no_secret(status):
    secret, token = f"Echo-S3cret-{uuid.uuid4().hex}", f"Tok-{uuid.uuid4().hex}"
    client = BpccClient(BASE_URL, "harvester", secret, retry=FAST_RETRY)

    def token_answer(request):
        if status == 401:
            return 401, {}, json.dumps({"error": f"refused {request.body}"})
        return 200, {}, json.dumps({"access_token": token, "expires_in": "3600"})

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, f"{API}/oauth/token/", callback=token_answer)
        mock.add_callback(responses.GET, f"{API}/campaign/getAll/", callback=echo)
        mock.add_callback(responses.GET, f"{API}/campaign/getAll", callback=echo)
        with pytest.raises(ApiError, match=f"answered {status}") as info:
            client.list_campaigns()
    client.close()

    message = str(info.value) + info.value.api_message
    assert secret not in message
    assert token not in message
