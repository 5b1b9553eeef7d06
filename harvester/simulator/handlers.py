"""The List Management API methods: each reads its request and asks the tenant.

A handler gets the tenant, the names decoded from the path and the raw body,
and returns a ``Reply``; refusals raise ``RefusalError``, which the app turns
into the documented status with an ``{"error": ...}`` body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from harvester.defaults import API_MAX_PAGE_SIZE
from harvester.simulator import pages
from harvester.simulator.clock import to_ms
from harvester.simulator.refusals import InvalidRequestError, RecordNotFoundError
from harvester.simulator.tenant import Tenant
from harvester.timeutil import parse_api_time


@dataclass
class Reply:
    """What a method answers, before faults are applied.

    Attributes:
        status: the HTTP status.
        body: the body, when not a page.
        items: the rendered items of a paged method, joined after faults.
        headers: extra response headers.
    """

    status: int = 200
    body: bytes = b""
    items: list[str] | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Tenant, list[str], bytes], Reply]


@dataclass(frozen=True, slots=True)
class Method:
    """One API method: its handler and how the app treats it.

    Attributes:
        handler: the function answering it.
        names: how many names follow the method in the path.
        http: the HTTP method it accepts.
        is_read: whether its answer may be truncated by fault injection.
        is_paged_by_time: whether its page may be shuffled.
    """

    handler: Handler
    names: int
    http: str = "POST"
    is_read: bool = False
    is_paged_by_time: bool = False


def read_json(body: bytes) -> Any:
    """The request body as JSON.

    Raises:
        InvalidRequestError: the body is not JSON.
    """
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequestError(f"body is not valid JSON: {exc}") from exc


def read_object(body: bytes) -> dict[str, Any]:
    """The request body as a JSON object."""
    value = read_json(body)
    if not isinstance(value, dict):
        raise InvalidRequestError("body is not a JSON object")
    return value


def read_page_size(request: dict[str, Any]) -> int:
    """``maxSize`` (a number or a numeric string), capped at the API's 1000."""
    value = request.get("maxSize", API_MAX_PAGE_SIZE)
    size = _whole_number(value, "maxSize")
    if size < 0:
        raise InvalidRequestError(f"maxSize {value!r} is negative")
    return min(size, API_MAX_PAGE_SIZE)


def read_from_time(request: dict[str, Any]) -> int:
    """``fromTime`` in milliseconds since the epoch."""
    value = request.get("fromTime")
    if value is None:
        raise InvalidRequestError("fromTime is missing")
    try:
        return to_ms(parse_api_time(value))
    except (TypeError, ValueError) as exc:
        raise InvalidRequestError(f"fromTime {value!r} is not an ISO time") from exc


def _whole_number(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise InvalidRequestError(f"{name} {value!r} is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise InvalidRequestError(f"{name} {value!r} is not a number")


def _json_reply(value: Any) -> Reply:
    return Reply(body=json.dumps(value, ensure_ascii=False).encode())


def campaigns(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """GET campaign/getAll/."""
    return Reply(body=pages.campaigns_body(tenant))


def add_record(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/add/<list>: 200 with an empty body."""
    tenant.add_records(names[0], [read_object(body)])
    return Reply()


def add_records(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/addAll/<list>: {"added": N}, and errors if any."""
    items = read_json(body)
    if not isinstance(items, list):
        raise InvalidRequestError("body is not a JSON array of records")
    added, errors = tenant.add_records_partially(names[0], items)
    answer: dict[str, Any] = {"added": added}
    if errors:
        answer["errors"] = errors
    return _json_reply(answer)


def update_record(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/update/<list>: 200 empty; 404 with an empty body."""
    fields = read_object(body)
    try:
        tenant.update_record(names[0], fields)
    except RecordNotFoundError:
        return Reply(status=404)
    return Reply()


def delete_records(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/deleteAll/<list>: 200 with an empty body."""
    tenant.delete_records(names[0])
    return Reply()


def get_all(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/getAll/<list>/<campaign>: records by index."""
    request = read_object(body)
    if "fromIndex" not in request:
        raise InvalidRequestError("fromIndex is missing")
    from_index = _whole_number(request["fromIndex"], "fromIndex")
    if from_index < 0:
        raise InvalidRequestError(f"fromIndex {from_index} is negative")
    size = read_page_size(request)
    return Reply(items=pages.indexed_page(tenant, names[0], names[1], from_index, size))


def get_completed(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/getCompleted/<list>/<campaign>: by completion time."""
    request = read_object(body)
    from_ms = read_from_time(request)
    size = read_page_size(request)
    return Reply(items=pages.completed_page(tenant, names[0], names[1], from_ms, size))


def get_changed(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/getChanged/<list>/<campaign>: by activity time."""
    request = read_object(body)
    from_ms = read_from_time(request)
    size = read_page_size(request)
    return Reply(items=pages.changed_page(tenant, names[0], names[1], from_ms, size))


def get_record(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST callinglist/get/<list>/<campaign>: one record and its status."""
    fields = read_object(body)
    return Reply(body=pages.record_body(tenant, names[0], names[1], fields).encode())


def dnc_add(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST donotcalllist/add/<dnc>: {"added": N}, duplicates ignored."""
    rows = read_json(body)
    with tenant.lock:
        return _json_reply({"added": tenant.dnc_list(names[0]).add(rows)})


def dnc_replace(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST donotcalllist/replaceAll/<dnc>: {"added": N} after emptying it."""
    rows = read_json(body)
    with tenant.lock:
        dnc = tenant.dnc_list(names[0])
        previous = dict(dnc.numbers)
        dnc.clear()
        try:
            added = dnc.add(rows)
        except InvalidRequestError:
            dnc.numbers = previous
            raise
        return _json_reply({"added": added})


def dnc_delete(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST donotcalllist/delete/<dnc>: {"deleted": N, "errors": [...]}."""
    items = read_json(body)
    with tenant.lock:
        deleted, errors = tenant.dnc_list(names[0]).delete(items)
        return _json_reply({"deleted": deleted, "errors": errors})


def dnc_delete_all(tenant: Tenant, names: list[str], body: bytes) -> Reply:
    """POST donotcalllist/deleteAll/<dnc>: {"deleted": N}."""
    with tenant.lock:
        return _json_reply({"deleted": tenant.dnc_list(names[0]).clear()})


METHODS: dict[tuple[str, str], Method] = {
    ("campaign", "getAll"): Method(campaigns, 0, http="GET", is_read=True),
    ("callinglist", "add"): Method(add_record, 1),
    ("callinglist", "addAll"): Method(add_records, 1),
    ("callinglist", "update"): Method(update_record, 1),
    ("callinglist", "deleteAll"): Method(delete_records, 1),
    ("callinglist", "getAll"): Method(get_all, 2, is_read=True),
    ("callinglist", "getCompleted"): Method(
        get_completed, 2, is_read=True, is_paged_by_time=True
    ),
    ("callinglist", "getChanged"): Method(
        get_changed, 2, is_read=True, is_paged_by_time=True
    ),
    ("callinglist", "get"): Method(get_record, 2, is_read=True),
    ("donotcalllist", "add"): Method(dnc_add, 1),
    ("donotcalllist", "replaceAll"): Method(dnc_replace, 1),
    ("donotcalllist", "delete"): Method(dnc_delete, 1),
    ("donotcalllist", "deleteAll"): Method(dnc_delete_all, 1),
}
