"""The BPCC List Management API v2.0 client: one typed method per API method."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from harvester import defaults
from harvester.api.failures import ApiCall
from harvester.api.models import (
    AddAllResult,
    Campaign,
    ChangedRecord,
    CompletedRecord,
    DncDeleteResult,
    ItemError,
    JsonScalar,
    ListRecord,
    Page,
    Token,
    parse_campaign,
    parse_changed_record,
    parse_completed_record,
    parse_list_record,
    parse_page,
)
from harvester.api.session import ApiSession, Credentials, Reply, default_scope
from harvester.api.transport import RetryPolicy, Timeouts
from harvester.config import Settings
from harvester.errors import MalformedResponseError
from harvester.timeutil import format_api_time

logger = logging.getLogger(__name__)

T = TypeVar("T")
Fields = Mapping[str, JsonScalar]
# A DNC record: a phone number, or a phone number and its comment.
DncEntry = str | tuple[str, str]


class BpccClient:
    """A client of one BPCC tenant's List Management API.

    Every call carries connect and read timeouts. Connection errors, read
    errors, 429 (after Retry-After) and 500/502/503/504 are retried by
    urllib3 with exponential backoff and jitter; a 200 whose JSON body arrives
    cut short is retried the same way by tenacity. A 401 fetches a new token
    and sends the call once more.

    One client may be shared by many threads: each thread gets its own
    requests Session, and all share one token.

    Args:
        base_url: the tenant root, such as ``https://example.brightpattern.com``.
        client_id: the API user's name.
        client_secret: the API user's secret; kept out of reprs, logs, errors.
        scope: the token request's ``scope``; the base URL's host when empty.
        timeouts: connect and read timeouts.
        verify: whether to verify the tenant's TLS certificate; False wins
            over ``ca_bundle``.
        ca_bundle: a CA bundle to verify it with, instead of the default one.
        retry: how failed calls are retried.
    """

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str = "",
        timeouts: Timeouts | None = None,
        verify: bool = True,
        ca_bundle: str | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        credentials = Credentials(
            client_id, client_secret, scope or default_scope(base_url)
        )
        self._session = ApiSession(
            base_url,
            credentials,
            timeouts=timeouts or Timeouts(),
            verify=(ca_bundle or True) if verify else False,
            retry=retry or RetryPolicy(),
        )
        self.base_url = self._session.base_url
        self.client_id = client_id

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
    ) -> Self:
        """A client for the tenant the settings name.

        Raises:
            ConfigurationError: the base URL, client id or secret is missing.
        """
        settings.require_tenant()
        return cls(
            settings.base_url,
            settings.client_id,
            settings.client_secret,
            scope=settings.effective_scope,
            timeouts=timeouts,
            verify=settings.verify_tls,
            ca_bundle=settings.ca_bundle or None,
            retry=retry,
        )

    def __repr__(self) -> str:
        return f"BpccClient(base_url={self.base_url!r}, client_id={self.client_id!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connections of every thread's session."""
        self._session.close()

    # --- authentication and campaigns ---------------------------------------

    def get_token(self) -> Token:
        """Requests a new access token (oauth/token); later calls use it."""
        return self._session.tokens.refresh()

    def list_campaigns(self) -> Page[Campaign]:
        """The enabled campaigns and their calling lists (campaign/getAll)."""
        call = ApiCall("campaign/getAll", http_method="GET")
        reply = self._session.call(call)
        return self._page(call, reply, parse_campaign, requested=None)

    # --- calling list records -----------------------------------------------

    def add_record(self, list_name: str, fields: Fields) -> None:
        """Adds one record (callinglist/add).

        Raises:
            ConflictError: a record with the same key exists; if the request
                was resent after a lost answer, the message says the first
                attempt may have added it.
        """
        call = _list_call("callinglist/add", list_name)
        self._session.call(call, json_body=dict(fields), expects_json=False)

    def add_records(self, list_name: str, records: Sequence[Fields]) -> AddAllResult:
        """Adds many records (callinglist/addAll); duplicates are skipped."""
        call = _list_call("callinglist/addAll", list_name)
        reply = self._session.call(call, json_body=[dict(record) for record in records])
        return AddAllResult(
            added=_read_count(call, reply.body, "added"),
            errors=_error_texts(reply.body),
            was_resent=reply.was_resent,
        )

    def update_record(self, list_name: str, fields: Fields) -> None:
        """Changes fields of a record found by its key fields (callinglist/update)."""
        call = _list_call("callinglist/update", list_name)
        self._session.call(call, json_body=dict(fields), expects_json=False)

    def delete_all_records(self, list_name: str) -> None:
        """Deletes every record of a list and its results (callinglist/deleteAll)."""
        call = _list_call("callinglist/deleteAll", list_name)
        self._session.call(call, expects_json=False)

    def get_all_records(
        self,
        list_name: str,
        campaign: str,
        from_index: int = 0,
        max_size: int = defaults.DEFAULT_PAGE_SIZE,
    ) -> Page[ListRecord]:
        """Records with index >= ``from_index``, by index (callinglist/getAll)."""
        _check_page_args(max_size, from_index)
        call = _list_call("callinglist/getAll", list_name, campaign)
        body = {"fromIndex": from_index, "maxSize": max_size}
        reply = self._session.call(call, json_body=body)
        return self._page(call, reply, parse_list_record, requested=max_size)

    def get_completed_records(
        self,
        list_name: str,
        campaign: str,
        from_time: datetime,
        max_size: int = defaults.DEFAULT_PAGE_SIZE,
    ) -> Page[CompletedRecord]:
        """Records completed at or after ``from_time`` (callinglist/getCompleted)."""
        _check_page_args(max_size)
        call = _list_call("callinglist/getCompleted", list_name, campaign)
        body = {"fromTime": format_api_time(from_time), "maxSize": max_size}
        reply = self._session.call(call, json_body=body)
        return self._page(call, reply, parse_completed_record, requested=max_size)

    def get_changed_records(
        self,
        list_name: str,
        campaign: str,
        from_time: datetime,
        max_size: int = defaults.DEFAULT_PAGE_SIZE,
    ) -> Page[ChangedRecord]:
        """Records with activity at or after ``from_time`` (callinglist/getChanged)."""
        _check_page_args(max_size)
        call = _list_call("callinglist/getChanged", list_name, campaign)
        body = {"fromTime": format_api_time(from_time), "maxSize": max_size}
        reply = self._session.call(call, json_body=body)
        return self._page(call, reply, parse_changed_record, requested=max_size)

    def get_record(self, list_name: str, campaign: str, keys: Fields) -> ListRecord:
        """One record, found by its key fields, with its status (callinglist/get)."""
        call = _list_call("callinglist/get", list_name, campaign)
        reply = self._session.call(call, json_body=dict(keys))
        return _parse_one(call, reply.body, parse_list_record)

    # --- do-not-call lists --------------------------------------------------

    def add_dnc_records(self, dnc_list: str, entries: Iterable[DncEntry]) -> int:
        """Adds numbers to a DNC list (donotcalllist/add); returns how many."""
        call = _dnc_call("donotcalllist/add", dnc_list)
        reply = self._session.call(call, json_body=_dnc_rows(entries))
        return _read_count(call, reply.body, "added")

    def replace_dnc_records(self, dnc_list: str, entries: Iterable[DncEntry]) -> int:
        """Replaces a DNC list's numbers (donotcalllist/replaceAll)."""
        call = _dnc_call("donotcalllist/replaceAll", dnc_list)
        reply = self._session.call(call, json_body=_dnc_rows(entries))
        return _read_count(call, reply.body, "added")

    def delete_dnc_records(self, dnc_list: str, keys: Iterable[str]) -> DncDeleteResult:
        """Deletes numbers from a DNC list (donotcalllist/delete)."""
        call = _dnc_call("donotcalllist/delete", dnc_list)
        reply = self._session.call(call, json_body=[{"key": key} for key in keys])
        return DncDeleteResult(
            deleted=_read_count(call, reply.body, "deleted"),
            errors=_error_texts(reply.body),
        )

    def delete_all_dnc_records(self, dnc_list: str) -> int:
        """Empties a DNC list (donotcalllist/deleteAll); returns how many went."""
        call = _dnc_call("donotcalllist/deleteAll", dnc_list)
        reply = self._session.call(call)
        return _read_count(call, reply.body, "deleted")

    def _page(
        self,
        call: ApiCall,
        reply: Reply,
        parse_item: Callable[[Any], T],
        *,
        requested: int | None,
    ) -> Page[T]:
        body = reply.body
        if requested is None:
            requested = len(body) if isinstance(body, list) else 0
        try:
            return parse_page(
                body, parse_item, requested=requested, server_time=reply.server_time
            )
        except ItemError as exc:
            raise _malformed(call, str(exc)) from exc


def _list_call(method: str, list_name: str, campaign: str | None = None) -> ApiCall:
    if campaign is None:
        return ApiCall(method, (list_name,), ("list",), (list_name,))
    names = (list_name, campaign)
    return ApiCall(method, names, ("list", "campaign"), names)


def _dnc_call(method: str, dnc_list: str) -> ApiCall:
    return ApiCall(method, (dnc_list,), ("DNC list",), (dnc_list,))


def _check_page_args(max_size: int, from_index: int = 0) -> None:
    if max_size < 1:
        raise ValueError(f"max_size is {max_size}; it must be at least 1")
    if from_index < 0:
        raise ValueError(f"from_index is {from_index}; it must be at least 0")


def _dnc_rows(entries: Iterable[DncEntry]) -> list[list[str]]:
    rows = []
    for entry in entries:
        phone, comment = (entry, "") if isinstance(entry, str) else entry
        rows.append([phone, comment])
    return rows


def _malformed(call: ApiCall, problem: str) -> MalformedResponseError:
    return MalformedResponseError(
        f"{call.describe()} answered 200 with an unexpected body: {problem}",
        method=call.method,
        status=200,
        names=call.names,
    )


def _parse_one(call: ApiCall, body: Any, parse: Callable[[Any], T]) -> T:
    try:
        return parse(body)
    except ItemError as exc:
        raise _malformed(call, str(exc)) from exc


def _read_count(call: ApiCall, body: Any, key: str) -> int:
    value = body.get(key) if isinstance(body, dict) else None
    if isinstance(value, str) and value.isdecimal():
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _malformed(call, f"field '{key}' is {value!r}, not a count")


def _error_texts(body: Any) -> tuple[str, ...]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return ()
    if not isinstance(errors, list):
        errors = [errors]
    return tuple(
        item if isinstance(item, str) else json.dumps(item, sort_keys=True)
        for item in errors
    )
