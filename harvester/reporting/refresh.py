"""Keeps the reporting file in step with the warehouse while the daemon runs.

The per-list views have one column per entry field, so a new list, a new
field or a schema upgrade needs a rebuild; anything else the views already
see live. The refresher compares a cheap signature and rebuilds only then.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from harvester.config import Settings
from harvester.errors import HarvesterError
from harvester.reporting.builder import build_reporting
from harvester.reporting.fields import reporting_signature

logger = logging.getLogger(__name__)


class ReportingRefresher:
    """Rebuilds the reporting file when the lists, fields or schema changed."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.signature: str | None = None
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Rebuilds if needed; returns whether it rebuilt. Never raises."""
        if not self._lock.acquire(blocking=False):
            return False  # a rebuild is already under way
        try:
            signature = reporting_signature(self.engine)
            if signature == self.signature:
                return False
            result = build_reporting(self.settings, self.engine)
            self.signature = result.signature
            logger.info(
                "reporting file rebuilt path=%s views=%d list_views=%d duration=%.2fs",
                result.path,
                len(result.views),
                len(result.list_views),
                result.seconds,
            )
            return True
        except HarvesterError as exc:
            logger.error("reporting file not rebuilt error=%s", exc)
            return False
        except OSError as exc:  # a full disk must not stop the scheduler's job
            logger.error("reporting file not rebuilt error=%s", exc)
            return False
        finally:
            self._lock.release()
