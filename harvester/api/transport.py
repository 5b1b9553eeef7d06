"""The HTTP layer of the API client: sessions, timeouts and transport retries."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import ConnectTimeoutError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from harvester import __version__, defaults

logger = logging.getLogger(__name__)

API_PATH = "/configapi/v2/"

# Every API method is a read or a keyed write, so POST is retried like GET; a
# resent add may answer 409, which the client reports (see failures.py).
RETRY_METHODS = frozenset({"GET", "POST"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

# A Retry-After longer than this is cut down to it, so that one odd header
# cannot park a harvest for hours.
MAX_RETRY_AFTER_SECONDS = 300


def api_method_of(url: str | None) -> str:
    """Names the API method of a URL, such as ``callinglist/getAll``.

    Only the two segments after the API path are kept: list and campaign names
    stay out of log lines.
    """
    path = urlsplit(url or "").path
    start = path.find(API_PATH)
    if start < 0:
        return path or "unknown"
    segments = path[start + len(API_PATH) :].split("/")
    return "/".join(segment for segment in segments[:2] if segment)


class LoggingRetry(Retry):
    """urllib3's Retry that logs each retry at WARNING, as urllib3 only logs DEBUG.

    The backoff of one step is computed once and kept, so that the wait logged
    is the wait slept even with jitter.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._backoff: float | None = None

    def get_backoff_time(self) -> float:
        """The backoff before the next attempt, drawn once per step."""
        if self._backoff is None:
            self._backoff = super().get_backoff_time()
        return self._backoff

    def planned_wait(self, response: BaseHTTPResponse | None) -> float:
        """The seconds ``sleep`` waits: Retry-After when given, else the backoff."""
        if self.respect_retry_after_header and response is not None:
            retry_after = self.get_retry_after(response)
            if retry_after:
                return retry_after
        return self.get_backoff_time()

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        """Counts one failed attempt like urllib3 does, and logs the retry."""
        retry = super().increment(method, url, response, error, _pool, _stacktrace)

        if error is not None:
            reason = type(error).__name__
        else:
            reason = f"http_{response.status if response is not None else 'none'}"
        attempt = len(retry.history)
        total = attempt + (retry.total if isinstance(retry.total, int) else 0)
        logger.warning(
            "Retrying API call api_method=%s reason=%s wait_seconds=%.2f "
            "attempt=%d of %d",
            api_method_of(url),
            reason,
            retry.planned_wait(response),
            attempt,
            total,
        )
        return retry


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often, and how patiently, a failed request is sent again.

    Attributes:
        total: retries after the first attempt, of every kind together.
        backoff_factor: seconds; the n-th consecutive retry waits about
            ``backoff_factor * 2 ** (n - 1)`` (urllib3 sends the first at once).
        backoff_max: the longest backoff, in seconds.
        backoff_jitter: up to this many random seconds added to each backoff.
    """

    total: int = defaults.DEFAULT_RETRY_TOTAL
    backoff_factor: float = defaults.DEFAULT_RETRY_BACKOFF_FACTOR
    backoff_max: float = defaults.DEFAULT_RETRY_BACKOFF_MAX_SECONDS
    backoff_jitter: float = defaults.DEFAULT_RETRY_BACKOFF_JITTER_SECONDS

    def build_retry(self) -> LoggingRetry:
        """The urllib3 Retry that the HTTP adapter applies to every request."""
        return LoggingRetry(
            total=self.total,
            allowed_methods=RETRY_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff_factor,
            backoff_max=self.backoff_max,
            backoff_jitter=self.backoff_jitter,
            retry_after_max=MAX_RETRY_AFTER_SECONDS,
            respect_retry_after_header=True,
            # The last response is kept so that its status and message can be
            # reported; failures.py turns it into ApiRetriableError.
            raise_on_status=False,
        )


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds to wait for a connection, and for each read of the answer."""

    connect: float = defaults.DEFAULT_CONNECT_TIMEOUT_SECONDS
    read: float = defaults.DEFAULT_READ_TIMEOUT_SECONDS

    def as_tuple(self) -> tuple[float, float]:
        """The form requests takes as ``timeout``."""
        return (self.connect, self.read)


class BearerAuth(AuthBase):
    """Sets the Authorization header; its repr never shows the token."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._access_token}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth()"


def build_session(policy: RetryPolicy, verify: bool | str) -> requests.Session:
    """A requests Session whose adapter retries through ``policy``.

    Args:
        policy: the retry policy mounted on both schemes.
        verify: True, False, or the path of a CA bundle to trust.
    """
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=policy.build_retry())
    session.mount("http://", adapter)
    session.mount("https://", adapter)

    session.verify = verify
    session.headers["Accept"] = "application/json"
    session.headers["User-Agent"] = f"bpcc-harvester/{__version__}"
    return session


def retry_history(response: requests.Response) -> tuple[int, bool]:
    """How many retries a response took, and whether any followed a lost answer.

    A lost answer (a dropped connection or a read timeout) means the server
    may have carried out an earlier attempt of the same request; a failed
    connect means it never saw it.
    """
    retry = getattr(response.raw, "retries", None)
    history = getattr(retry, "history", ()) or ()
    was_lost = any(
        entry.error is not None and not isinstance(entry.error, ConnectTimeoutError)
        for entry in history
    )
    return len(history), was_lost
