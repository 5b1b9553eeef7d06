"""Serving a simulated tenant over HTTP on a werkzeug threaded server."""

from __future__ import annotations

import email.utils
import logging
import threading
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from harvester.simulator.app import create_app
from harvester.simulator.clock import SimClock
from harvester.simulator.config import FaultConfig
from harvester.simulator.faults import FaultInjector
from harvester.simulator.tenant import Tenant
from harvester.simulator.tokens import TokenStore

logger = logging.getLogger(__name__)

# How often the serving thread checks for a stop request; it bounds how long
# ``stop`` takes, which the test suite pays once per simulator.
_POLL_SECONDS = 0.02


def _handler_for(clock: SimClock) -> type[WSGIRequestHandler]:
    """A request handler whose Date header carries the tenant's clock."""

    class TenantRequestHandler(WSGIRequestHandler):
        def date_time_string(self, timestamp: float | None = None) -> str:
            return email.utils.format_datetime(clock.now(), usegmt=True)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            logger.debug(
                "request method=%s status=%s size=%s", self.command, code, size
            )

    return TenantRequestHandler


class SimulatorServer:
    """A simulated tenant served on a background thread.

    Use it as a context manager, or call ``start`` and ``stop``. Port 0 picks
    a free port; ``url`` tells which.

    Attributes:
        tenant: the tenant served.
        clock: the tenant's clock.
        faults: the fault settings, whose ``counts()`` report injected faults.
        tokens: the tokens issued so far.
    """

    def __init__(self, tenant: Tenant, host: str = "127.0.0.1", port: int = 0) -> None:
        self.tenant = tenant
        self.clock = tenant.clock
        self.faults: FaultConfig = tenant.config.faults
        self.tokens = TokenStore(self.faults)
        self.host = host
        self.port = port
        self._injector = FaultInjector(self.faults, tenant.config.seed)
        self.app = create_app(tenant, self.tokens, self._injector)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The tenant's base URL, such as ``http://127.0.0.1:8800``.

        Raises:
            RuntimeError: the server has not been started.
        """
        if self._server is None:
            raise RuntimeError("simulator server is not started")
        return f"http://{self.host}:{self._server.server_port}"

    def start(self) -> SimulatorServer:
        """Binds the port and starts serving; returns the server itself."""
        if self._server is not None:
            return self
        server = make_server(
            self.host,
            self.port,
            self.app,
            threaded=True,
            request_handler=_handler_for(self.clock),
        )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name="simulator-server",
            daemon=True,
        )
        self._thread.start()
        logger.debug("simulator started url=%s", self.url)
        return self

    def stop(self) -> None:
        """Stops serving and frees the port."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        server.server_close()
        thread.join()
        self._server = None
        self._thread = None

    def expire_tokens(self) -> int:
        """Ends every issued token's life now; returns how many were alive."""
        return self.tokens.expire_all()

    def fault_counts(self) -> dict[str, int]:
        """Faults injected so far, by kind."""
        return self.faults.counts()

    def __enter__(self) -> SimulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
        *_: Any,
    ) -> None:
        self.stop()
