"""TLS: certificates verified by default, a CA bundle of one's own, loud opt-out.

The tenant here is the simulator served over HTTPS with a certificate signed
by a throwaway CA that the test makes with the openssl command.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from harvester.api.client import BpccClient
from harvester.commands.common import harvest_context
from harvester.config import load_settings
from harvester.errors import ApiFatalError
from harvester.simulator import SimClock, SimulatorConfig, SimulatorServer, Tenant
from harvester.warehouse.db import upgrade_warehouse
from tests.reliability.support import (
    FAST_RETRY,
    start_daemon,
    stop_daemon,
    wait_for,
)

WARNING = "TLS verification is off (BPCC_VERIFY_TLS)"
TENANT = SimulatorConfig(
    seed=31, campaigns=1, records_per_list=30, history_seconds=3600
)


@dataclass
class HttpsTenant:
    url: str
    ca_bundle: Path
    server: SimulatorServer

    def environ(self, **extra: str) -> dict[str, str]:
        config = self.server.tenant.config
        return {
            "BPCC_BASE_URL": self.url,
            "BPCC_CLIENT_ID": config.client_id,
            "BPCC_CLIENT_SECRET": config.client_secret,
            **extra,
        }


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA and a server certificate for 127.0.0.1 it signed, in one folder."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    (folder / "server.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
    )
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Harvester test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
        "-out", "server.csr", "-subj", "/CN=127.0.0.1",
        cwd=folder,
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-out", "server.pem",
        "-extfile", "server.ext",
        cwd=folder,
    )  # fmt: skip
    return folder


@pytest.fixture
def https_tenant(certificates: Path) -> Iterator[HttpsTenant]:
    """The simulator served over HTTPS on 127.0.0.1."""
    tenant = Tenant(TENANT, SimClock.stepped(TENANT.start))
    simulator = SimulatorServer(tenant)
    server = make_server(
        "127.0.0.1",
        0,
        simulator.app,
        threaded=True,
        ssl_context=(
            str(certificates / "server.pem"),
            str(certificates / "server.key"),
        ),
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"https://127.0.0.1:{server.server_port}"
    yield HttpsTenant(url, certificates / "ca.pem", simulator)
    server.shutdown()
    server.server_close()
    thread.join()


def test_client_self_signed_tenant_refused_by_default(https_tenant):
    settings = load_settings(https_tenant.environ())
    client = BpccClient.from_settings(settings, retry=FAST_RETRY)

    with pytest.raises(
        ApiFatalError, match="failed TLS verification; set BPCC_CA_BUNDLE"
    ):
        client.list_campaigns()
    client.close()


def test_client_ca_bundle_set_verifies_tenant(https_tenant):
    environ = https_tenant.environ(BPCC_CA_BUNDLE=str(https_tenant.ca_bundle))
    settings = load_settings(environ)

    with BpccClient.from_settings(settings, retry=FAST_RETRY) as client:
        page = client.list_campaigns()

    assert settings.verify_tls
    assert [c.name for c in page.items] == sorted(https_tenant.server.tenant.campaigns)


def test_client_other_ca_bundle_still_refused(https_tenant, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=Another CA",
        cwd=other,
    )  # fmt: skip
    environ = https_tenant.environ(BPCC_CA_BUNDLE=str(other / "ca.pem"))
    client = BpccClient.from_settings(load_settings(environ), retry=FAST_RETRY)

    with pytest.raises(ApiFatalError, match="failed TLS verification"):
        client.list_campaigns()
    client.close()


def run_cli(environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harvester", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_harvest_verification_off_warns_at_every_start(
    https_tenant, sqlite_url, tmp_path
):
    child = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BPCC_", "HARVESTER_"))
    } | https_tenant.environ(
        BPCC_VERIFY_TLS="false",
        HARVESTER_DATABASE_URL=sqlite_url,
        HARVESTER_HTTP_PORT="0",
        HARVESTER_INTERVAL_SECONDS="1",
    )
    upgrade_warehouse(sqlite_url)

    harvest = run_cli(child, "harvest", "--once")
    log_path = tmp_path / "daemon.log"
    with log_path.open("ab") as log:
        daemon = start_daemon(child | {"HARVESTER_LOG_LEVEL": "INFO"}, log)
        has_warned = wait_for(lambda: WARNING in log_path.read_text(), 60)
        status = stop_daemon(daemon)

    assert harvest.returncode == 0, harvest.stderr
    assert f"WARNING harvester.commands.common {WARNING}" in harvest.stderr
    assert has_warned, log_path.read_text()
    assert status == 0


def test_harvest_context_verification_off_logs_warning(
    https_tenant, sqlite_url, caplog
):
    settings = load_settings(
        https_tenant.environ(BPCC_VERIFY_TLS="false", HARVESTER_DATABASE_URL=sqlite_url)
    )
    caplog.set_level(logging.WARNING)

    with harvest_context(settings):
        pass

    assert [r.levelname for r in caplog.records if WARNING in r.getMessage()] == [
        "WARNING"
    ]
