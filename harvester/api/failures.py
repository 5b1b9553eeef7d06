"""Turning the API's failed answers into the harvester's typed errors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import requests

from harvester.errors import (
    ApiError,
    ApiFatalError,
    ApiRetriableError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)

MESSAGE_LIMIT = 200
TOKEN_METHOD = "oauth/token"  # noqa: S105 - an API method, not a secret

_FATAL_BY_STATUS: dict[int, tuple[type[ApiFatalError], str]] = {
    400: (BadRequestError, "bad request"),
    401: (AuthenticationError, "authentication failed"),
    403: (PermissionDeniedError, "insufficient privileges"),
    404: (NotFoundError, "not found"),
    409: (ConflictError, "duplicate key"),
}
_RETRIABLE_BY_STATUS = {
    429: "too many requests",
    500: "server error",
    502: "bad gateway",
    503: "service unavailable",
    504: "gateway timeout",
}


class IncompleteBodyError(Exception):
    """A 200 whose body ended early or is not JSON; the call is sent again."""


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One call of an API method, described for requests, messages and logs.

    Attributes:
        method: the API method, such as ``callinglist/getAll``.
        segments: the names that follow the method in the path, unencoded.
        labels: what each name is (``list``, ``campaign``, ``DNC list``,
            ``client id``), in the order of ``names``.
        names: the names the call is about, for messages.
        http_method: GET or POST.
    """

    method: str
    segments: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    http_method: str = "POST"

    def describe(self) -> str:
        """The call in words, such as ``'callinglist/get' for list 'a'``."""
        about = ", ".join(
            f"{label} '{name}'"
            for label, name in zip(self.labels, self.names, strict=True)
        )
        return f"API method '{self.method}'" + (f" for {about}" if about else "")


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replaces every secret in ``text`` by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def api_message_of(response: requests.Response, secrets: Iterable[str]) -> str:
    """The API's own message: the ``error`` field, else the body's text, cut short.

    Secrets are redacted first, in case a server echoes what it was sent.
    """
    text = response.text
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        text = body["error"]

    text = " ".join(redact(text, secrets).split()).rstrip(".")
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1] + "…"
    return text


def error_for_status(
    call: ApiCall,
    status: int,
    api_message: str = "",
    *,
    retries: int = 0,
    was_resent: bool = False,
) -> ApiError:
    """The error for a non-2xx answer: the one place status maps to behaviour.

    Args:
        call: the call that failed.
        status: the HTTP status of the last answer.
        api_message: the API's message, already cut short and redacted.
        retries: how many times the transport sent the call again.
        was_resent: an earlier attempt's answer was lost, so a 409 may be the
            echo of that attempt's own write.
    """
    kind: type[ApiError]
    if status in _FATAL_BY_STATUS:
        kind, meaning = _FATAL_BY_STATUS[status]
    elif status in _RETRIABLE_BY_STATUS:
        kind, meaning = ApiRetriableError, _RETRIABLE_BY_STATUS[status]
    else:
        kind, meaning = ApiFatalError, "unexpected status"

    message = f"{call.describe()} answered {status} ({meaning})"
    if retries:
        message += f" after {retries} retries"
    if api_message:
        message += f": {api_message}"
    message += _hint_for(call, status, was_resent=was_resent)
    return kind(
        message,
        method=call.method,
        status=status,
        names=call.names,
        api_message=api_message,
    )


def _hint_for(call: ApiCall, status: int, *, was_resent: bool) -> str:
    if status == 401 and call.method == TOKEN_METHOD:
        return "; check BPCC_CLIENT_ID and BPCC_CLIENT_SECRET"
    if status == 401:
        return "; a fresh token was refused too"
    if status == 409 and was_resent:
        return (
            "; the request was sent again after its answer was lost, so the "
            "first attempt may have written the record"
        )
    return ""


def error_for_transport(call: ApiCall, exc: requests.RequestException) -> ApiError:
    """The error for a request that got no usable answer after every retry."""
    if isinstance(exc, requests.exceptions.SSLError):
        return ApiFatalError(
            f"{call.describe()} failed TLS verification; set BPCC_CA_BUNDLE to "
            "the tenant's CA bundle",
            method=call.method,
            names=call.names,
        )
    # requests' errors for a malformed URL or header are also ValueErrors.
    if isinstance(exc, ValueError):
        return ApiFatalError(
            f"{call.describe()} could not be sent: {_cut(str(exc))}",
            method=call.method,
            names=call.names,
        )
    return ApiRetriableError(
        f"{call.describe()} got no answer after retries: {_root_cause(exc)}",
        method=call.method,
        names=call.names,
    )


def _root_cause(exc: BaseException) -> str:
    # requests wraps urllib3 wraps the socket error; the innermost one says
    # what an operator can act on ("Connection refused", "timed out").
    reason: BaseException = exc
    seen = {id(reason)}
    while True:
        inner = (
            getattr(reason, "reason", None) or reason.__cause__ or reason.__context__
        )
        if not isinstance(inner, BaseException) or id(inner) in seen:
            break
        seen.add(id(inner))
        reason = inner
    text = str(reason)
    if "] " in text:
        text = text.rsplit("] ", 1)[1]
    return _cut(text.strip("'\" ") or type(reason).__name__)


def error_for_incomplete_body(call: ApiCall, attempts: int) -> ApiRetriableError:
    """The error for a call whose 200 answers kept arriving cut short."""
    return ApiRetriableError(
        f"{call.describe()} answered 200 with an incomplete JSON body {attempts} times",
        method=call.method,
        status=200,
        names=call.names,
    )


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"
