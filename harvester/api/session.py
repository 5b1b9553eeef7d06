"""Sending one API call: token, timeouts, retries and the first checks of the answer."""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from harvester.api.auth import TokenCache
from harvester.api.failures import (
    TOKEN_METHOD,
    ApiCall,
    IncompleteBodyError,
    api_message_of,
    error_for_incomplete_body,
    error_for_status,
    error_for_transport,
)
from harvester.api.models import ItemError, Token, parse_token
from harvester.api.transport import (
    API_PATH,
    BearerAuth,
    RetryPolicy,
    Timeouts,
    build_session,
    retry_history,
)
from harvester.errors import ApiFatalError, MalformedResponseError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Credentials:
    """What the token request sends; the secret never shows in a repr."""

    client_id: str
    client_secret: str
    scope: str

    def __repr__(self) -> str:
        return f"Credentials(client_id={self.client_id!r}, scope={self.scope!r})"


@dataclass(frozen=True, slots=True)
class Reply:
    """A successful answer: its decoded body, the tenant's clock, its history.

    Attributes:
        body: the decoded JSON, or None where the method answers nothing.
        server_time: the tenant's clock from the Date header.
        was_resent: the request was sent again after an answer was lost.
    """

    body: Any
    server_time: datetime | None
    was_resent: bool


class ApiSession:
    """Sends calls to one tenant with a shared token and per-thread connections.

    Transport failures (connection and read errors, 429, 500/502/503/504) are
    retried by urllib3 inside the HTTP adapter. A 200 whose JSON body arrives
    cut short is invisible to urllib3, so the whole call is retried by
    tenacity with the same policy; in the worst case the two multiply.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeouts: Timeouts,
        verify: bool | str,
        retry: RetryPolicy,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.tokens = TokenCache(self._fetch_token)
        self._timeouts = timeouts
        self._verify = verify
        self._retry = retry
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ApiSession(base_url={self.base_url!r})"

    def close(self) -> None:
        """Closes the connections of every thread's session."""
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()
        self._local = threading.local()

    def call(
        self,
        call: ApiCall,
        *,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        is_authorized: bool = True,
        expects_json: bool = True,
    ) -> Reply:
        """Sends a call and checks its status and body.

        Raises:
            ApiError: the subclass for the failure, from failures.py.
        """
        url = self._url_for(call)
        attempts = 0

        def attempt() -> Reply:
            nonlocal attempts
            attempts += 1
            reply = self._call_once(
                call, url, json_body, form, is_authorized, expects_json
            )
            # A body cut short means the call was carried out: a resent write
            # may then see its own first attempt, as after a lost answer.
            return replace(reply, was_resent=reply.was_resent or attempts > 1)

        try:
            return _body_retrying(call, self._retry)(attempt)
        except IncompleteBodyError as exc:
            raise error_for_incomplete_body(call, self._retry.total + 1) from exc

    def _fetch_token(self) -> Token:
        credentials = self.credentials
        call = ApiCall(
            TOKEN_METHOD, labels=("client id",), names=(credentials.client_id,)
        )
        form = {
            "grant_type": "client_credentials",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret,
            "scope": credentials.scope,
        }
        reply = self.call(call, form=form, is_authorized=False)
        try:
            return parse_token(reply.body)
        except ItemError as exc:
            raise MalformedResponseError(
                f"{call.describe()} answered 200 with an unexpected body: {exc}",
                method=call.method,
                status=200,
                names=call.names,
            ) from exc

    def _call_once(
        self,
        call: ApiCall,
        url: str,
        json_body: Any,
        form: Mapping[str, str] | None,
        is_authorized: bool,
        expects_json: bool,
    ) -> Reply:
        token = ""
        if is_authorized:
            response, token = self._send_authorized(call, url, json_body)
        else:
            response = self._send(call, url, None, json_body, form)
        retries, was_resent = retry_history(response)

        if not 200 <= response.status_code < 300:
            secrets = (self.credentials.client_secret, token)
            raise error_for_status(
                call,
                response.status_code,
                api_message_of(response, secrets),
                retries=retries,
                was_resent=was_resent,
            )

        body = _decode_json(call, response) if expects_json else None
        return Reply(body, server_time_of(response), was_resent)

    def _send_authorized(
        self, call: ApiCall, url: str, json_body: Any
    ) -> tuple[requests.Response, str]:
        """Sends with the cached token; on 401, once more with a new one."""
        token = self.tokens.access_token()
        response = self._send(call, url, token, json_body, None)
        if response.status_code != 401:
            return response, token

        self.tokens.invalidate(token)
        token = self.tokens.access_token()
        return self._send(call, url, token, json_body, None), token

    def _send(
        self,
        call: ApiCall,
        url: str,
        token: str | None,
        json_body: Any,
        form: Mapping[str, str] | None,
    ) -> requests.Response:
        started = time.monotonic()
        try:
            response = self._session().request(
                call.http_method,
                url,
                json=json_body,
                data=form,
                auth=BearerAuth(token) if token else None,
                timeout=self._timeouts.as_tuple(),
                # Per request, so that REQUESTS_CA_BUNDLE cannot override it
                # (requests issue #3829).
                verify=self._verify,
            )
        except (
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as exc:
            raise IncompleteBodyError(str(exc)) from exc
        except requests.RequestException as exc:
            raise error_for_transport(call, exc) from exc

        logger.debug(
            "API call api_method=%s http_status=%d elapsed_ms=%.0f retries=%d",
            call.method,
            response.status_code,
            (time.monotonic() - started) * 1000,
            retry_history(response)[0],
        )
        return response

    def _session(self) -> requests.Session:
        # requests does not promise that a Session is thread-safe, so each
        # thread gets its own; they share the token.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = build_session(self._retry, self._verify)
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _url_for(self, call: ApiCall) -> str:
        # Each name is one path segment: '/', '?', '#', '%' are all escaped.
        # "." and ".." cannot be: URL normalization (RFC 3986 section 5.2.4)
        # removes them, so the call would reach another method.
        for segment in call.segments:
            if segment in ("", ".", ".."):
                raise ApiFatalError(
                    f"{call.describe()} cannot be sent: the name '{segment}' "
                    "cannot be a URL path segment",
                    method=call.method,
                    names=call.names,
                )
        names = "/".join(quote(segment, safe="") for segment in call.segments)
        return f"{self.base_url}{API_PATH}{call.method}/{names}"


def default_scope(base_url: str) -> str:
    """The scope used when none is set: the host of the base URL."""
    return urlsplit(base_url).hostname or ""


def server_time_of(response: requests.Response) -> datetime | None:
    """The tenant's clock from the Date header, in UTC; None when absent or bad."""
    header = response.headers.get("Date")
    if not header:
        return None
    try:
        value = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _decode_json(call: ApiCall, response: requests.Response) -> Any:
    # An empty body arrived whole (its length said so), so sending the call
    # again would not help; a body that does not parse may have been cut.
    if not response.content.strip():
        raise MalformedResponseError(
            f"{call.describe()} answered 200 with an empty body; JSON was expected",
            method=call.method,
            status=200,
            names=call.names,
        )
    try:
        return json.loads(response.content)
    except ValueError as exc:
        size = len(response.content)
        raise IncompleteBodyError(f"body of {size} bytes is not whole JSON") from exc
    except RecursionError:
        # Whole but nested deeper than Python decodes; sending again won't help.
        raise MalformedResponseError(
            f"{call.describe()} answered 200 with JSON nested too deeply to read",
            method=call.method,
            status=200,
            names=call.names,
        ) from None


def _body_retrying(call: ApiCall, policy: RetryPolicy) -> Retrying:
    """Retries a call whose 200 body arrived cut short, with urllib3's pacing."""
    return Retrying(
        stop=stop_after_attempt(policy.total + 1),
        wait=wait_exponential_jitter(
            multiplier=policy.backoff_factor,
            max=policy.backoff_max,
            jitter=policy.backoff_jitter,
        ),
        retry=retry_if_exception_type(IncompleteBodyError),
        before_sleep=_body_retry_logger(call, policy.total),
        reraise=True,
    )


def _body_retry_logger(call: ApiCall, retries: int) -> Callable[[RetryCallState], None]:
    def log_retry(state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        logger.warning(
            "Retrying API call api_method=%s reason=incomplete_body "
            "wait_seconds=%.2f attempt=%d of %d",
            call.method,
            wait,
            state.attempt_number,
            retries,
        )

    return log_retry
