"""A harvest killed with SIGKILL at random moments loses and doubles nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from harvester.simulator import FaultConfig, SimulatorConfig
from tests.harvest.conftest import settings_for
from tests.truth import compare

KILLS = 12
# A run that finishes before its kill is not counted; the loop starts more runs
# until KILLS of them were killed, however fast the harvest has become.
MAX_STARTS = 4 * KILLS

BIG = SimulatorConfig(
    seed=11,
    campaigns=3,
    records_per_list=1500,
    history_seconds=6 * 3600,
    dial_rate_per_second=0.4,
    missing_interaction_id_rate=0.05,
    faults=FaultConfig(error_rate=0.02, truncate_rate=0.01, drop_rate=0.01),
)


def harvest_env(settings) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BPCC_", "HARVESTER_"))
    }
    env |= {
        "BPCC_BASE_URL": settings.base_url,
        "BPCC_CLIENT_ID": settings.client_id,
        "BPCC_CLIENT_SECRET": settings.client_secret,
        "HARVESTER_DATABASE_URL": settings.database_url,
        "HARVESTER_PAGE_SIZE": "100",
        "HARVESTER_LOG_LEVEL": "WARNING",
    }
    return env


def start_harvest(env: dict[str, str], *, is_watched: bool) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "harvester", "harvest", "--once"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE if is_watched else subprocess.DEVNULL,
    )


def test_harvest_killed_repeatedly_equals_truth(
    make_simulator, harvest_context, database_url
):
    server = make_simulator(BIG)
    ctx = harvest_context(server)  # creates the schema
    env = harvest_env(settings_for(server, database_url))
    rng = random.Random(5)
    kills = 0

    for _ in range(MAX_STARTS):
        if kills == KILLS:
            break
        server.clock.advance(rng.uniform(60, 600))
        process = start_harvest(env, is_watched=False)
        time.sleep(rng.uniform(0.5, 3.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)

    server.tenant.settle()
    for _ in range(5):
        final = start_harvest(env, is_watched=True)
        _, stderr = final.communicate(timeout=300)
        if final.returncode == 0:
            break

    assert final.returncode == 0, stderr.decode()
    assert kills == KILLS
    differences = compare(ctx.engine, server.tenant.ground_truth())
    assert not differences, differences.describe()
    assert len(server.tenant.ground_truth().attempts) > 5000
