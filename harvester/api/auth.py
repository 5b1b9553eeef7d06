"""The OAuth client-credentials token: fetched once, shared, renewed before expiry."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from harvester import defaults
from harvester.api.models import Token

logger = logging.getLogger(__name__)

# With a short token lifetime the fixed margin would eat all of it, so the
# margin never exceeds this share of the lifetime.
REFRESH_MARGIN_FRACTION = 0.2


def refresh_margin(expires_in: float, margin: float) -> float:
    """Seconds before expiry at which a token is renewed.

    Args:
        expires_in: the lifetime the server announced, in seconds.
        margin: the preferred margin, such as ``TOKEN_REFRESH_MARGIN_SECONDS``.
    """
    return max(0.0, min(margin, expires_in * REFRESH_MARGIN_FRACTION))


class TokenCache:
    """Holds one access token for every thread of a client.

    The token is fetched on first use and again shortly before the expiry the
    server announced. A token the API refused is dropped with ``invalidate``;
    the next caller fetches a new one. Fetches are serialized by a lock, so
    threads that find the token stale together cause one fetch, not many.
    """

    def __init__(
        self,
        fetch: Callable[[], Token],
        *,
        margin_seconds: float = defaults.TOKEN_REFRESH_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._margin = margin_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._renew_at = 0.0

    def __repr__(self) -> str:
        return f"TokenCache(has_token={self._token is not None})"

    def access_token(self) -> str:
        """A token believed valid: the cached one, or a freshly fetched one."""
        with self._lock:
            token = self._token
            if token is None or self._clock() >= self._renew_at:
                token = self._fetch()
                self._store(token)
            return token.access_token

    def refresh(self) -> Token:
        """Fetches a new token now, keeps it, and returns it."""
        with self._lock:
            token = self._fetch()
            self._store(token)
            return token

    def invalidate(self, access_token: str) -> None:
        """Drops ``access_token`` if it is still the cached one.

        A thread that held an older token does not drop the newer one another
        thread fetched meanwhile.
        """
        with self._lock:
            if self._token is not None and self._token.access_token == access_token:
                self._token = None
                logger.info("Access token refused; a new one will be requested")

    def _store(self, token: Token) -> None:
        margin = refresh_margin(token.expires_in, self._margin)
        self._token = token
        self._renew_at = self._clock() + token.expires_in - margin
        logger.debug(
            "Access token stored expires_in=%d renew_in_seconds=%.0f",
            token.expires_in,
            token.expires_in - margin,
        )
