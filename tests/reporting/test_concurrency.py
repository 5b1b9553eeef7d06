"""A reader in another process, while harvests write and the reporting file is rebuilt.

The reader is a stock DuckDB session that reopens the file read-only in a
loop, as BI tools do; the test process harvests a tenant that keeps dialing
and rebuilds the views in between. Neither side may see an error.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from harvester.api.client import BpccClient
from harvester.config import Settings
from harvester.harvest.context import HarvestContext
from harvester.harvest.cycle import harvest_once
from harvester.reporting.builder import build_reporting
from harvester.simulator import SimulatorConfig
from harvester.warehouse.db import create_warehouse_engine, upgrade_warehouse

ROUNDS = 2

READER = """
import json, sys, time
from pathlib import Path
import duckdb
path, stop = sys.argv[1], Path(sys.argv[2])
reads, errors, counts = 0, [], []
while True:
    stopping = stop.exists()
    try:
        config = {"threads": 1, "autoinstall_known_extensions": False}
        with duckdb.connect(path, read_only=True, config=config) as conn:
            count = conn.execute("select count(*) from call_attempts").fetchone()[0]
            counts.append(count)
            conn.execute("select * from campaign_daily").fetchall()
            conn.execute("select count(*) from list_views").fetchall()
        reads += 1
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    if stopping:
        break
    time.sleep(0.1)
print(json.dumps({"reads": reads, "errors": errors, "counts": counts}))
"""


def start_reader(path: Path, stop: Path, home: Path) -> subprocess.Popen[str]:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "")}
    return subprocess.Popen(
        [sys.executable, "-I", "-c", READER, str(path), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_reader_process_during_harvests_and_rebuilds_sees_no_error(
    database_url, make_simulator, tmp_path, duckdb_home
):
    server = make_simulator(SimulatorConfig(seed=3, history_seconds=1800))
    settings = Settings(
        base_url=server.url,
        client_id="harvester",
        client_secret="simulator-secret",
        database_url=database_url,
        reporting_path=str(tmp_path / "reporting.duckdb"),
    )
    engine = create_warehouse_engine(database_url)
    upgrade_warehouse(engine)
    client = BpccClient.from_settings(settings)
    context = HarvestContext(settings, client, engine)
    harvest_once(context)
    build_reporting(settings, engine)
    stop = tmp_path / "stop"
    reader = start_reader(Path(settings.reporting_path), stop, duckdb_home)

    try:
        for _ in range(ROUNDS):
            server.clock.advance(timedelta(minutes=15).total_seconds())
            assert harvest_once(context).is_success
            build_reporting(settings, engine)
        with engine.connect() as conn:
            stored = conn.exec_driver_sql("select count(*) from call_attempts").scalar()
    finally:
        stop.touch()
        out, err = reader.communicate(timeout=60)
        client.close()
        engine.dispose()

    summary = json.loads(out)
    assert reader.returncode == 0, err
    assert summary["errors"] == []
    assert summary["reads"] >= 2
    assert summary["counts"] == sorted(summary["counts"])
    assert summary["counts"][-1] == stored
