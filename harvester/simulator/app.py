"""The simulated tenant's Flask application: routing, auth and fault injection.

Names travel as single percent-encoded path segments, and a name may hold
"/" (sent as %2F). PATH_INFO has %2F already decoded, so the API route is a
catch-all and the names are cut from the raw request URI that werkzeug keeps
in REQUEST_URI (RAW_URI for some servers).
"""

from __future__ import annotations

import json
import logging
import secrets
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, request
from werkzeug.routing import PathConverter

from harvester.simulator.config import SimulatorConfig
from harvester.simulator.control import control_blueprint
from harvester.simulator.faults import FaultInjector
from harvester.simulator.handlers import METHODS, Method, Reply
from harvester.simulator.refusals import RefusalError
from harvester.simulator.render import join_page
from harvester.simulator.tenant import Tenant
from harvester.simulator.tokens import TokenCheck, TokenStore

logger = logging.getLogger(__name__)

API_PREFIX = "/configapi/v2/"
_HTTP_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH"]


class Api:
    """Answers every request under /configapi/v2/ for one tenant."""

    def __init__(
        self, tenant: Tenant, tokens: TokenStore, faults: FaultInjector
    ) -> None:
        self.tenant = tenant
        self.config: SimulatorConfig = tenant.config
        self.tokens = tokens
        self.faults = faults

    def answer(self) -> Response:
        """Routes the current request, applies faults and calls its method."""
        segments = _api_segments(request.environ)
        if segments[:2] == ["oauth", "token"] and len(segments) == 2:
            return self._with_faults(self._token)
        method = METHODS.get((segments[0], segments[1])) if len(segments) >= 2 else None
        if method is None or len(segments) - 2 != method.names:
            return error_response(404, f"method '{'/'.join(segments)}' is not found")
        if request.method != method.http:
            return error_response(405, f"method needs HTTP {method.http}")
        return self._with_faults(lambda: self._call(method, segments[2:]))

    def _with_faults(self, serve: Callable[[], Response]) -> Response:
        delay = self.faults.latency()
        if delay > 0:
            time.sleep(delay)
        abort = self.faults.abort()
        if abort is None:
            return serve()
        if abort.status == 0:
            return _drop_connection()
        response = error_response(abort.status, "injected fault")
        if abort.status == 429:
            response.headers["Retry-After"] = str(
                self.faults.config.retry_after_seconds
            )
        return response

    def _call(self, method: Method, names: list[str]) -> Response:
        refusal = self._authorize()
        if refusal is not None:
            return refusal
        try:
            reply = method.handler(self.tenant, names, request.get_data())
        except RefusalError as exc:
            return error_response(exc.status, str(exc))
        return self._finish(method, reply)

    def _authorize(self) -> Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error_response(401, "authentication failed: no bearer token")
        check = self.tokens.check(token.strip())
        if check is TokenCheck.VALID:
            return None
        if check is TokenCheck.EXPIRED_EARLY:
            self.faults.config.record("expired_token")
        if check is TokenCheck.UNKNOWN:
            return error_response(401, "authentication failed: unknown token")
        return error_response(401, "authentication failed: token expired")

    def _finish(self, method: Method, reply: Reply) -> Response:
        body = reply.body
        if reply.items is not None:
            items = reply.items
            if method.is_paged_by_time:
                items = self.faults.shuffle(items)
            body = join_page(items)
        if method.is_read and reply.status == 200:
            body = self.faults.truncate(body)
        response = Response(body, status=reply.status, headers=reply.headers)
        if body:
            response.mimetype = "application/json"
        else:
            del response.headers["Content-Type"]
        return response

    def _token(self) -> Response:
        if request.method != "POST":
            return error_response(405, "method needs HTTP POST")
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return error_response(400, "grant_type must be 'client_credentials'")
        client_id = form.get("client_id", "")
        secret = form.get("client_secret", "")
        if client_id != self.config.client_id or not secrets.compare_digest(
            secret.encode(), self.config.client_secret.encode()
        ):
            logger.info("token refused client_id=%s", client_id)
            return error_response(401, "authentication failed: wrong credentials")
        token, expires_in = self.tokens.issue()
        body = {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": str(expires_in),
            "scope": form.get("scope") or request.host,
        }
        return json_response(body)


class AnyPathConverter(PathConverter):
    """werkzeug's path converter, matching newlines too.

    A name may hold a newline (sent as %0A); PATH_INFO has it decoded, and
    the stock converter's "." stops there, which made such names 404.
    """

    regex = "(?s:[^/].*?)"


def create_app(tenant: Tenant, tokens: TokenStore, faults: FaultInjector) -> Flask:
    """The Flask application serving one tenant's API and control API."""
    app = Flask(__name__)
    # Empty segments are part of names like "a/" + "b" and must not be merged.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    api = Api(tenant, tokens, faults)

    def serve(rest: str = "") -> Response:
        return api.answer()

    app.url_map.converters["anypath"] = AnyPathConverter
    app.add_url_rule(API_PREFIX, "api_root", serve, methods=_HTTP_METHODS)
    app.add_url_rule(API_PREFIX + "<anypath:rest>", "api", serve, methods=_HTTP_METHODS)
    app.register_blueprint(control_blueprint(tenant, tokens, faults.config))
    app.register_error_handler(404, lambda _: error_response(404, "not found"))
    app.register_error_handler(405, lambda _: error_response(405, "method not allowed"))
    return app


def json_response(value: Any, status: int = 200) -> Response:
    """A JSON response."""
    body = json.dumps(value, ensure_ascii=False)
    return Response(body, status=status, mimetype="application/json")


def error_response(status: int, message: str) -> Response:
    """The API's error answer: ``{"error": message}``."""
    return json_response({"error": message}, status)


def _api_segments(environ: dict[str, Any]) -> list[str]:
    """The decoded path segments after /configapi/v2/, from the raw URI."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if not raw:
        raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    path = raw.split("?", 1)[0]
    if "://" in path:
        path = urlsplit(path).path
    rest = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else ""
    segments = [unquote(segment) for segment in rest.split("/")]
    if len(segments) > 2 and segments[-1] == "":
        segments.pop()
    return segments


def _drop_connection() -> Response:
    """Closes the client's connection without an answer (a dropped request).

    Shutting the socket down (not closing it) makes werkzeug's later write
    fail with a broken pipe, which it treats as a client that went away.
    """
    request.get_data()
    connection = request.environ.get("werkzeug.socket")
    if connection is not None:
        try:
            connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            logger.debug("connection was already closed")
    return Response(b"", status=503)
