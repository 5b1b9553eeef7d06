"""The daemon's HTTP endpoints: /healthz for monitors, /metrics for Prometheus."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import make_wsgi_app
from sqlalchemy import Engine
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from harvester.api.models import Campaign
from harvester.errors import ConfigurationError
from harvester.harvest.streams import STREAMS
from harvester.schedule import (
    CampaignHealth,
    is_discovery_healthy,
    is_healthy,
    standing_of,
)
from harvester.timeutil import utcnow
from harvester.warehouse.status import StreamStatus, read_status

logger = logging.getLogger(__name__)

# Returns (is_healthy, reasons): one reason per line in the 503 body.
HealthCheck = Callable[[], tuple[bool, list[str]]]
StartResponse = Callable[..., Any]
# A reason quotes the stream's last error, cut to stay one readable line.
REASON_ERROR_LENGTH = 300


class HealthApp:
    """A WSGI app answering /healthz from a check and /metrics from Prometheus."""

    def __init__(self, check: HealthCheck) -> None:
        self.check = check
        self.metrics = make_wsgi_app()

    def __call__(
        self, environ: dict[str, Any], start: StartResponse
    ) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            return self.metrics(environ, start)  # type: ignore[no-any-return]
        if path != "/healthz":
            start("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found; try /healthz or /metrics\n"]
        try:
            is_healthy, reasons = self.check()
        except Exception as exc:  # a broken check must still answer
            is_healthy, reasons = False, [f"health check failed: {exc}"]
        status = "200 OK" if is_healthy else "503 Service Unavailable"
        body = "\n".join(reasons or ["ok"]) + "\n"
        start(status, [("Content-Type", "text/plain; charset=utf-8")])
        return [body.encode()]


class QuietRequestHandler(WSGIRequestHandler):
    """Logs each request at DEBUG: monitors poll every few seconds."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("health request path=%s status=%s", self.path, code)


class HealthServer:
    """Serves HealthApp on a port in a background thread.

    Raises:
        ConfigurationError: the port cannot be bound (in use, or privileged).
    """

    def __init__(self, check: HealthCheck, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104
        listener = _listen(host, port)
        try:
            self._server: BaseWSGIServer = make_server(
                host,
                port,
                HealthApp(check),
                threaded=True,
                request_handler=QuietRequestHandler,
                fd=listener.fileno(),
            )
        finally:
            # The server works on its own duplicate of the socket.
            listener.close()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="health-http", daemon=True
        )

    @property
    def port(self) -> int:
        """The port actually bound (useful when asked for port 0)."""
        return int(self._server.port)

    def start(self) -> None:
        """Starts serving in the background."""
        self._thread.start()
        logger.info(
            "health and metrics served port=%d paths=/healthz,/metrics", self.port
        )

    def stop(self) -> None:
        """Stops serving and closes the socket."""
        self._server.shutdown()
        self._server.server_close()


def _listen(host: str, port: int) -> socket.socket:
    # werkzeug prints to stderr and exits when it cannot bind, so the socket
    # is bound here, where a failure becomes the CLI's one-line error.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(socket.SOMAXCONN)
    except OSError as exc:
        listener.close()
        raise ConfigurationError(
            f"HTTP port {port} for /healthz and /metrics cannot be bound: "
            f"{exc.strerror}; set HARVESTER_HTTP_PORT to a free port, or 0"
        ) from None
    return listener


def assess(
    engine: Engine,
    campaigns: Sequence[Campaign],
    discovery: CampaignHealth,
    started_at: datetime,
    allowed_seconds: float,
) -> list[str]:
    """Why a running daemon is unhealthy; no reason means healthy.

    Discovery must not have been failing for longer than the allowance, and
    every enabled campaign with lists must have succeeded within it.
    """
    now = utcnow()
    reasons = []
    if not is_discovery_healthy(discovery, started_at, now, allowed_seconds):
        error = discovery.last_error or "no answer yet"
        reasons.append(
            f"campaign discovery failing for over {allowed_seconds:g}s: "
            f"{error[:REASON_ERROR_LENGTH]}"
        )
    try:
        rows = read_status(engine)
    except Exception as exc:  # a health check reports, never raises
        return [*reasons, f"warehouse cannot be read: {type(exc).__name__}: {exc}"]
    return reasons + campaign_reasons(campaigns, rows, started_at, now, allowed_seconds)


def campaign_reasons(
    campaigns: Sequence[Campaign],
    rows: Sequence[StreamStatus],
    started_at: datetime,
    now: datetime,
    allowed_seconds: float,
) -> list[str]:
    """Why campaigns are unhealthy: one reason per campaign without a recent success.

    A campaign's success is the oldest last success of the streams of its
    current lists, as the warehouse holds them: whichever daemon harvested
    them, and however long ago this daemon started.
    """
    reasons = []
    for campaign in sorted(campaigns, key=lambda c: c.name):
        own = [row for row in rows if row.campaign == campaign.name]
        standing = standing_of(own, campaign.lists, len(STREAMS), now)
        if is_healthy(standing.last_success_at, started_at, now, allowed_seconds):
            continue
        reason = (
            f"campaign {campaign.name!r} has no successful harvest "
            f"in the last {allowed_seconds:g}s"
        )
        if standing.last_error:
            reason += f": {standing.last_error[:REASON_ERROR_LENGTH]}"
        reasons.append(reason)
    return reasons
