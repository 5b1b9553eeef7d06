"""`harvester run`: the long-running daemon."""

from __future__ import annotations

import logging
import os

import click

from harvester.commands.common import open_warehouse, settings_from
from harvester.daemon import Daemon, with_overrides
from harvester.warehouse.leases import acquire_daemon_guard

EXIT_STOPPED = 0


@click.command()
@click.option(
    "--interval",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds between harvests of a campaign (HARVESTER_INTERVAL_SECONDS).",
)
@click.option(
    "--http-port",
    type=click.IntRange(min=0, max=65535),
    default=None,
    help="Port of /healthz and /metrics; 0 turns them off (HARVESTER_HTTP_PORT).",
)
@click.option(
    "--stop-timeout",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds a clean stop may take (HARVESTER_STOP_TIMEOUT_SECONDS).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=4,
    show_default=True,
    help="Campaigns harvested at the same time.",
)
@click.pass_context
def run(
    ctx: click.Context,
    interval: int | None,
    http_port: int | None,
    stop_timeout: int | None,
    workers: int,
) -> None:
    """Runs the harvest daemon until SIGTERM or SIGINT.

    Discovers campaigns and harvests each on its interval. The first signal
    finishes the page in flight and exits 0; a second exits at once. On
    PostgreSQL several daemons share the work; on SQLite only one may run.
    """
    settings = with_overrides(
        settings_from(ctx),
        interval_seconds=interval,
        http_port=http_port,
        stop_timeout_seconds=stop_timeout,
    )
    settings.require_tenant()
    with acquire_daemon_guard(settings.database_url):
        engine = open_warehouse(settings)
        try:
            Daemon(settings, engine, workers=workers).run()
        finally:
            engine.dispose()

    # The interpreter would join the scheduler's threads at exit, and one
    # may still be retrying a request to an unreachable tenant (see
    # Daemon.run): nothing it holds is committed, so the process ends now.
    logging.shutdown()
    os._exit(EXIT_STOPPED)
