"""What every harvest shares: settings, the API client, the warehouse, the lease."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from harvester.api.client import BpccClient
from harvester.config import Settings
from harvester.defaults import DEFAULT_CLOCK_SAFETY_SECONDS

Lease = Callable[[str, str], AbstractContextManager[bool]]
# Told after each stored page: campaign, list, stream, items read.
PageListener = Callable[[str, str, str, int], None]


class StopRequested(Exception):
    """The daemon was asked to stop; the page in flight has been committed."""


@contextmanager
def always_granted(campaign: str, list_name: str) -> Iterator[bool]:
    """The lease of a lone harvester: always granted."""
    yield True


@dataclass(frozen=True)
class Window:
    """A past period re-read by a backfill, leaving the watermarks alone."""

    since: datetime
    until: datetime | None = None


@dataclass
class HarvestContext:
    """What a harvest needs: settings, the API client and the warehouse.

    Attributes:
        lease: grants the right to harvest one campaign and list; the daemon
            passes PostgreSQL advisory locks here so that replicas share work.
        stop: set when the daemon must stop after the page in flight.
        window: set by a backfill; streams then read this period instead of
            starting from their watermarks, and store no watermark.
        on_page: told after each stored page, for progress displays.
    """

    settings: Settings
    client: BpccClient
    engine: Engine
    lease: Lease = always_granted
    stop: threading.Event = field(default_factory=threading.Event)
    worker: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    clock_safety_seconds: float = DEFAULT_CLOCK_SAFETY_SECONDS
    window: Window | None = None
    on_page: PageListener | None = None
