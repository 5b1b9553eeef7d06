"""A loopback HTTP server that answers from a script, for transport-level tests.

Faults that only a real socket shows (a dropped connection, a body cut short,
a slow answer) are played here one request at a time.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Step:
    """One scripted answer.

    kind: "respond" (status, body, headers), "drop" (close without answering),
    "cut" (announce the whole body, send half, close), "slow" (wait
    ``delay`` seconds, then respond).
    """

    kind: str = "respond"
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


@dataclass
class Seen:
    """A request as the server received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    """Serves scripted steps in order; the last step repeats when the script ends."""

    def __init__(self) -> None:
        self.steps: deque[Step] = deque()
        self.token_steps: deque[Step] = deque()
        self.tokens_issued = 0
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._last = Step()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *steps: Step) -> None:
        with self._lock:
            self.steps.extend(steps)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def api_requests(self) -> list[Seen]:
        return [seen for seen in self.seen if not seen.path.endswith("/oauth/token/")]

    def _next_step(self, seen: Seen) -> Step:
        with self._lock:
            self.seen.append(seen)
            if seen.path.endswith("/oauth/token/"):
                if self.token_steps:
                    return self.token_steps.popleft()
                self.tokens_issued += 1
                return Step(body=token_body(f"scripted-token-{self.tokens_issued}"))
            if self.steps:
                self._last = self.steps.popleft()
            return self._last

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, dict(self.headers), body)
                step = server._next_step(seen)
                if step.kind == "drop":
                    self.close_connection = True
                    return
                if step.kind == "slow":
                    time.sleep(step.delay)
                self._send(step)

            def _send(self, step: Step) -> None:
                payload = step.payload()
                self.send_response(step.status)
                for name, value in step.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if step.kind == "cut":
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(payload[: len(payload) // 2])
                    self.close_connection = True
                    return
                self.end_headers()
                self.wfile.write(payload)

        return Handler


def token_body(access_token: str, expires_in: str = "3600") -> dict[str, str]:
    """A token response as the API sends it (``expires_in`` is a string)."""
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": "127.0.0.1",
    }
