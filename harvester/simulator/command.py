"""The `harvester simulate` command: a simulated tenant served until stopped."""

from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

import click

from harvester.defaults import DEFAULT_SIMULATOR_PORT, DEFAULT_SIMULATOR_SEED
from harvester.simulator.clock import SimClock
from harvester.simulator.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    FaultConfig,
    SimulatorConfig,
)
from harvester.simulator.server import SimulatorServer
from harvester.simulator.tenant import Tenant
from harvester.timeutil import parse_api_time, utcnow

logger = logging.getLogger(__name__)

_FAULT_OPTIONS = {
    "error_rate": "error_rate",
    "rate_limit_rate": "rate_limit_rate",
    "retry_after": "retry_after_seconds",
    "latency": "latency_seconds",
    "token_lifetime": "token_lifetime_seconds",
    "announced_expires_in": "announced_expires_in",
    "truncate_rate": "truncate_rate",
    "drop_rate": "drop_rate",
    "unsorted_rate": "unsorted_rate",
    "fault_seed": "seed",
}


def _parse_start(value: str | None, history_seconds: float) -> datetime:
    if value is None:
        return utcnow() - timedelta(seconds=history_seconds)
    try:
        return parse_api_time(value)
    except ValueError as exc:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 time") from exc


def build_config(options: dict[str, Any]) -> SimulatorConfig:
    """The simulator's settings from the command's options."""
    faults = FaultConfig(
        **{field: options[option] for option, field in _FAULT_OPTIONS.items()}
    )
    return SimulatorConfig(
        seed=options["seed"],
        campaigns=options["campaigns"],
        lists_per_campaign=options["lists_per_campaign"],
        shared_lists=options["shared_lists"],
        records_per_list=options["records_per_list"],
        agents=options["agents"],
        start=_parse_start(options["start"], options["history_seconds"]),
        history_seconds=options["history_seconds"],
        dial_rate_per_second=options["dial_rate"],
        visibility_delay_seconds=options["visibility_delay"],
        client_id=options["client_id"],
        client_secret=options["client_secret"],
        missing_interaction_id_rate=options["missing_interaction_id_rate"],
        max_attempts=options["max_attempts"],
        retry_delay_seconds=options["retry_delay"],
        faults=faults,
    )


def _ensure_logging() -> None:
    """Logs to stderr with UTC timestamps when the CLI set up no handler."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s", "%Y-%m-%dT%H:%M:%SZ"
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def _wait_for_signal() -> None:
    """Blocks until SIGINT or SIGTERM arrives."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        logger.info("stop requested signal=%s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    while not stop.wait(0.5):
        continue


@click.command("simulate")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    default=DEFAULT_SIMULATOR_PORT,
    show_default=True,
    type=int,
    help="Port to serve on (0 picks a free one).",
)
@click.option(
    "--seed",
    default=DEFAULT_SIMULATOR_SEED,
    show_default=True,
    type=int,
    help="Seed of every generated record and call.",
)
@click.option(
    "--campaigns",
    default=3,
    show_default=True,
    type=click.IntRange(min=0),
    help="Campaigns to generate.",
)
@click.option(
    "--lists-per-campaign",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="Calling lists per campaign.",
)
@click.option(
    "--shared-lists",
    default=1,
    show_default=True,
    type=click.IntRange(min=0),
    help="Lists that also serve the next campaign.",
)
@click.option(
    "--records-per-list",
    default=200,
    show_default=True,
    type=click.IntRange(min=0),
    help="Records per calling list.",
)
@click.option(
    "--agents",
    default=8,
    show_default=True,
    type=click.IntRange(min=1),
    help="Agents taking connected calls.",
)
@click.option(
    "--dial-rate",
    default=0.05,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Mean attempts per simulated second per campaign.",
)
@click.option(
    "--history-seconds",
    default=3600.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Dialing simulated before serving.",
)
@click.option(
    "--start",
    default=None,
    help="Simulated time dialing starts (ISO 8601, UTC); default: now minus "
    "the history.",
)
@click.option(
    "--speed",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Simulated seconds per real second; 0 moves the clock only through "
    "/_simulator/clock.",
)
@click.option(
    "--visibility-delay",
    default=(30.0, 300.0),
    show_default=True,
    type=(float, float),
    help="MIN MAX seconds before an attempt shows in the API.",
)
@click.option(
    "--max-attempts",
    default=3,
    show_default=True,
    type=click.IntRange(1, 255),
    help="Attempts per record before giving up.",
)
@click.option(
    "--retry-delay",
    default=1800.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Mean seconds before an unanswered record is retried.",
)
@click.option(
    "--missing-interaction-id-rate",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Share of attempts without globalInteractionID.",
)
@click.option(
    "--client-id",
    default=DEFAULT_CLIENT_ID,
    show_default=True,
    help="API user the token endpoint accepts.",
)
@click.option(
    "--client-secret",
    default=DEFAULT_CLIENT_SECRET,
    show_default=False,
    help="That user's secret (default: the test value 'simulator-secret').",
)
@click.option(
    "--error-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of requests answered 500, 502 or 503.",
)
@click.option(
    "--rate-limit-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of requests answered 429.",
)
@click.option(
    "--retry-after",
    default=1,
    type=click.IntRange(min=0),
    help="Retry-After seconds of a 429.",
)
@click.option(
    "--latency",
    default=0.0,
    type=click.FloatRange(min=0),
    help="Real seconds added to every request.",
)
@click.option(
    "--token-lifetime",
    default=None,
    type=click.FloatRange(min=0),
    help="Real seconds a token lives (default: as announced).",
)
@click.option(
    "--announced-expires-in",
    default=None,
    type=click.IntRange(min=1),
    help="expires_in announced by the token endpoint (default 3600).",
)
@click.option(
    "--truncate-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of read answers cut short.",
)
@click.option(
    "--drop-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of requests whose connection is dropped.",
)
@click.option(
    "--unsorted-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of time-paged answers shuffled.",
)
@click.option(
    "--fault-seed",
    default=None,
    type=int,
    help="Seed of the fault generator (default: from --seed).",
)
def simulate(**options: Any) -> None:
    """Serves a simulated BPCC tenant until SIGINT or SIGTERM.

    Every method of the List Management API v2.0 is served under
    /configapi/v2/, with a control API under /_simulator/ (clock, dialing,
    ground truth, fault counts) for tests.
    """
    _ensure_logging()
    config = build_config(options)
    clock = SimClock(config.start, speed=options["speed"])
    tenant = Tenant(config, clock)
    with SimulatorServer(tenant, host=options["host"], port=options["port"]) as server:
        logger.info(
            "simulator serving url=%s client_id=%s seed=%s speed=%s "
            "secret_option=--client-secret",
            server.url,
            config.client_id,
            config.seed,
            clock.speed,
        )
        _wait_for_signal()
    logger.info("simulator stopped")
