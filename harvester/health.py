"""The daemon's HTTP endpoints: /healthz for monitors, /metrics for Prometheus."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import make_wsgi_app
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from harvester.errors import ConfigurationError

logger = logging.getLogger(__name__)

# Returns (is_healthy, reasons): one reason per line in the 503 body.
HealthCheck = Callable[[], tuple[bool, list[str]]]
StartResponse = Callable[..., Any]


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
