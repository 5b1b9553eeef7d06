"""The control API under /_simulator/, for tests driving a simulator process.

It is not part of Bright Pattern's API, needs no token and never sees
injected faults. Every answer is JSON.

- ``GET  /_simulator/truth``: counts of the visible state (records, results,
  completed, attempts), the clock and whether the dialer dials.
- ``GET  /_simulator/truth/full``: the whole ground truth (records, results
  and attempts), times in the API's format.
- ``GET  /_simulator/clock``: ``{"now": time}``.
- ``POST /_simulator/clock/advance`` ``{"seconds": s}``: moves the clock.
- ``POST /_simulator/clock/set`` ``{"time": "2026-01-05T09:00:00.000"}``.
- ``POST /_simulator/dialing/stop`` and ``/_simulator/dialing/resume``.
- ``POST /_simulator/settle``: stops dialing and makes every attempt visible.
- ``GET  /_simulator/faults``: faults injected so far, by kind.
- ``POST /_simulator/tokens/expire``: ends the life of every issued token.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request

from harvester.simulator.config import FaultConfig
from harvester.simulator.tenant import Tenant
from harvester.simulator.tokens import TokenStore
from harvester.timeutil import format_api_time, parse_api_time


class Control:
    """The control API's answers for one tenant."""

    def __init__(self, tenant: Tenant, tokens: TokenStore, faults: FaultConfig) -> None:
        self.tenant = tenant
        self.tokens = tokens
        self.faults = faults

    def status(self) -> dict[str, Any]:
        """The clock and whether the dialer dials."""
        return {
            "now": format_api_time(self.tenant.clock.now()),
            "dialing": self.tenant.is_dialing,
        }

    def truth_summary(self) -> Response:
        """Counts of the visible state."""
        return _json({**self.tenant.ground_truth().summary(), **self.status()})

    def truth_full(self) -> Response:
        """The whole ground truth."""
        truth = self.tenant.ground_truth()
        records = [
            {"list_name": key[0], "record_key": key[1], "entry": entry}
            for key, entry in truth.records.items()
        ]
        results = [
            {"campaign": key[0], "list_name": key[1], "record_key": key[2]}
            | result._asdict()
            for key, result in truth.results.items()
        ]
        attempts = [item._asdict() for item in truth.attempts]
        return _json(
            {"records": records, "results": results, "attempts": attempts}
            | self.status()
        )

    def clock(self) -> Response:
        """The clock's reading."""
        return _json(self.status())

    def advance(self) -> Response:
        """Moves the clock forward by ``seconds``."""
        seconds = _body().get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            return _json({"error": "seconds must be a non-negative number"}, 400)
        if seconds < 0:
            return _json({"error": "seconds must be a non-negative number"}, 400)
        self.tenant.clock.advance(float(seconds))
        self.tenant.sync()
        return _json(self.status())

    def set_clock(self) -> Response:
        """Sets the clock to ``time``."""
        try:
            value = parse_api_time(_body().get("time"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return _json({"error": "time must be an ISO 8601 time"}, 400)
        self.tenant.clock.set(value)
        self.tenant.sync()
        return _json(self.status())

    def dialing(self, action: str) -> Response:
        """Stops or resumes dialing."""
        if action == "stop":
            self.tenant.stop_dialing()
        elif action == "resume":
            self.tenant.resume_dialing()
        else:
            return _json({"error": f"action '{action}' is not stop or resume"}, 404)
        return _json(self.status())

    def settle(self) -> Response:
        """Stops dialing and makes every attempt visible."""
        self.tenant.settle()
        return _json(self.status())

    def fault_counts(self) -> Response:
        """Faults injected so far, by kind."""
        return _json(self.faults.counts())

    def expire_tokens(self) -> Response:
        """Ends every issued token's life."""
        return _json({"expired": self.tokens.expire_all()})


def control_blueprint(
    tenant: Tenant, tokens: TokenStore, faults: FaultConfig
) -> Blueprint:
    """The /_simulator/ routes for one tenant."""
    control = Control(tenant, tokens, faults)
    blueprint = Blueprint("simulator_control", __name__, url_prefix="/_simulator")
    routes: list[tuple[str, str, Any]] = [
        ("/truth", "GET", control.truth_summary),
        ("/truth/full", "GET", control.truth_full),
        ("/clock", "GET", control.clock),
        ("/clock/advance", "POST", control.advance),
        ("/clock/set", "POST", control.set_clock),
        ("/dialing/<action>", "POST", control.dialing),
        ("/settle", "POST", control.settle),
        ("/faults", "GET", control.fault_counts),
        ("/tokens/expire", "POST", control.expire_tokens),
    ]
    for rule, method, view in routes:
        blueprint.add_url_rule(rule, view.__name__, view, methods=[method])
    return blueprint


def _body() -> dict[str, Any]:
    value = request.get_json(silent=True)
    return value if isinstance(value, dict) else {}


def _json(value: Any, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False, default=_encode)
    return Response(body, status=status, mimetype="application/json")


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_api_time(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
