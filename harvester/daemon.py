"""`harvester run`: the long-running daemon on an APScheduler 3 scheduler.

A discovery job reads the enabled campaigns on its own interval and keeps one
interval job per campaign. Campaign jobs never overlap (max_instances=1),
missed runs collapse into one (coalesce), and a run late by up to one
interval still goes (misfire_grace_time). A failing campaign backs off; no
exception escapes a job. The first SIGTERM or SIGINT is a warm stop: no new
work, the page in flight commits, exit 0 within the stop timeout. A second
signal stops at once; the uncommitted page rolls back and nothing is lost.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from harvester import __version__, metrics
from harvester.api.client import BpccClient
from harvester.api.models import Campaign
from harvester.config import Settings
from harvester.defaults import (
    DEFAULT_BACKOFF_CAP_SECONDS,
    DEFAULT_INTERVAL_JITTER_SECONDS,
)
from harvester.errors import HarvesterError
from harvester.harvest.context import HarvestContext, StopRequested
from harvester.harvest.cycle import discover, harvest_campaign
from harvester.health import HealthServer
from harvester.schedule import CampaignHealth, is_due, is_healthy
from harvester.timeutil import utcnow
from harvester.warehouse import catalog
from harvester.warehouse.db import as_writer
from harvester.warehouse.leases import hold_lease
from harvester.warehouse.status import read_status

logger = logging.getLogger(__name__)

DISCOVERY_JOB = "discovery"
CAMPAIGN_JOB_PREFIX = "campaign:"
EXIT_COLD_STOP = 0


@dataclass
class DaemonState:
    """What the jobs share: the last discovery and each campaign's health."""

    campaigns: dict[str, Campaign] = field(default_factory=dict)
    ids: catalog.CatalogIds | None = None
    health: dict[str, CampaignHealth] = field(default_factory=dict)
    started_at: datetime = field(default_factory=utcnow)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Daemon:
    """The scheduler, its jobs, the signal handlers and the health server."""

    def __init__(self, settings: Settings, engine: Engine, workers: int = 4) -> None:
        self.settings = settings
        self.engine = engine
        self.writer = as_writer(engine)
        self.state = DaemonState()
        self.stop_event = threading.Event()
        self._clients = threading.local()
        self._signals = 0
        self.scheduler = BackgroundScheduler(
            executors={"default": ThreadPoolExecutor(max_workers=workers)},
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": max(1, settings.interval_seconds),
            },
            timezone=UTC,
        )
        self.health_server: HealthServer | None = None

    # --- jobs ------------------------------------------------------------

    def context(self) -> HarvestContext:
        """A harvest context with this thread's own API client."""
        client = getattr(self._clients, "client", None)
        if client is None:
            client = BpccClient.from_settings(self.settings)
            self._clients.client = client
        return HarvestContext(
            settings=self.settings,
            client=client,
            engine=self.writer,
            lease=lambda c, n: hold_lease(self.engine, c, n),
            stop=self.stop_event,
        )

    def run_discovery(self) -> None:
        """Reads the enabled campaigns and adds, updates or removes their jobs."""
        try:
            campaigns, ids = discover(self.context())
        except (HarvesterError, Exception) as exc:  # the scheduler must go on
            logger.error("discovery failed error=%s", exc)
            return
        with self.state.lock:
            self.state.campaigns = {c.name: c for c in campaigns}
            self.state.ids = ids
        self._sync_campaign_jobs(set(self.state.campaigns))

    def _sync_campaign_jobs(self, names: set[str]) -> None:
        existing = {
            job.id[len(CAMPAIGN_JOB_PREFIX) :]
            for job in self.scheduler.get_jobs()
            if job.id.startswith(CAMPAIGN_JOB_PREFIX)
        }
        for name in sorted(existing - names):
            self.scheduler.remove_job(CAMPAIGN_JOB_PREFIX + name)
            logger.info("campaign no longer enabled; job removed campaign=%r", name)
        for name in sorted(names - existing):
            self.scheduler.add_job(
                self.run_campaign,
                IntervalTrigger(
                    seconds=self.settings.interval_seconds,
                    jitter=min(
                        DEFAULT_INTERVAL_JITTER_SECONDS,
                        self.settings.interval_seconds / 4,
                    ),
                ),
                args=[name],
                id=CAMPAIGN_JOB_PREFIX + name,
                name=f"harvest {name}",
                next_run_time=utcnow(),
            )
            logger.info("campaign job added campaign=%r", name)

    def run_campaign(self, name: str) -> None:
        """One scheduled harvest of a campaign; never raises."""
        if self.stop_event.is_set():
            return
        with self.state.lock:
            campaign = self.state.campaigns.get(name)
            ids = self.state.ids
            health = self.state.health.setdefault(name, CampaignHealth())
        if campaign is None or ids is None:
            return
        now = utcnow()
        if not is_due(
            health, now, self.settings.interval_seconds, DEFAULT_BACKOFF_CAP_SECONDS
        ):
            return
        try:
            outcomes = harvest_campaign(self.context(), campaign, ids)
        except StopRequested:
            logger.info("harvest stopped after the page in flight campaign=%r", name)
            return
        except Exception as exc:  # the scheduler must go on
            logger.exception("campaign harvest crashed campaign=%r", name)
            health.note_failure(utcnow(), f"{type(exc).__name__}: {exc}")
            return
        errors = [o.error for o in outcomes if o.error]
        if errors:
            health.note_failure(utcnow(), "; ".join(errors))
        else:
            health.note_success(utcnow())
            metrics.CAMPAIGN_LAST_SUCCESS.labels(name).set(utcnow().timestamp())
        self._update_lag(name)

    def _update_lag(self, name: str) -> None:
        try:
            rows = read_status(self.engine, name)
        except Exception as exc:
            logger.warning("lag not updated campaign=%r error=%s", name, exc)
            return
        now = utcnow().replace(tzinfo=None)
        lags = [lag for row in rows if (lag := row.lag_seconds(now)) is not None]
        if lags:
            metrics.CAMPAIGN_LAG.labels(name).set(max(lags))

    # --- health ----------------------------------------------------------

    def check_health(self) -> tuple[bool, list[str]]:
        """Healthy while the scheduler runs and every campaign harvested lately."""
        if not self.scheduler.running or self.stop_event.is_set():
            return False, ["scheduler is not running"]
        allowed = self.settings.health_intervals * self.settings.interval_seconds
        now = utcnow()
        with self.state.lock:
            names = sorted(self.state.campaigns)
        try:
            successes = self._last_successes(names)
        except Exception as exc:
            return False, [f"warehouse unreachable: {exc}"]
        reasons = [
            f"campaign {name!r} has no successful harvest in the last {allowed}s"
            for name in names
            if not is_healthy(successes.get(name), self.state.started_at, now, allowed)
        ]
        return not reasons, reasons

    def _last_successes(self, names: list[str]) -> dict[str, datetime]:
        # Another replica may harvest a campaign, so success is read from
        # the warehouse: the oldest stream success counts for the campaign.
        latest: dict[str, datetime] = {}
        per_campaign: dict[str, list[datetime | None]] = {}
        for row in read_status(self.engine):
            per_campaign.setdefault(row.campaign, []).append(row.last_success_at)
        for name in names:
            values = per_campaign.get(name, [])
            if values and all(v is not None for v in values):
                oldest = min(v for v in values if v is not None)
                latest[name] = oldest.replace(tzinfo=UTC)
        return latest

    # --- lifecycle -------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self._signals += 1
        name = signal.Signals(signum).name
        if self._signals == 1:
            logger.info("stop requested signal=%s; finishing the page in flight", name)
            self.stop_event.set()
            return
        logger.warning("second signal=%s; stopping at once", name)
        os._exit(EXIT_COLD_STOP)

    def run(self) -> None:
        """Runs until a signal asks it to stop; returns after a clean stop."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        if self.settings.http_port:
            self.health_server = HealthServer(
                self.check_health, self.settings.http_port
            )
            self.health_server.start()
        self.scheduler.add_job(
            self.run_discovery,
            IntervalTrigger(seconds=self.settings.discovery_interval_seconds),
            id=DISCOVERY_JOB,
            name="discover campaigns",
            next_run_time=utcnow(),
        )
        self.scheduler.start()
        logger.info(
            "daemon started version=%s interval=%ss config=%s",
            __version__,
            self.settings.interval_seconds,
            self.settings.source,
        )
        self.stop_event.wait()
        self._stop()

    def _stop(self) -> None:
        timeout = self.settings.stop_timeout_seconds
        stopper = threading.Thread(
            target=self.scheduler.shutdown, kwargs={"wait": True}, daemon=True
        )
        stopper.start()
        stopper.join(timeout)
        if stopper.is_alive():
            # A request still hangs past the timeout: its page was not
            # committed, so leaving now loses nothing.
            logger.warning("stop timeout of %ss reached; leaving now", timeout)
            logging.shutdown()
            os._exit(0)
        if self.health_server is not None:
            self.health_server.stop()
        logger.info("daemon stopped cleanly")


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """Settings with some values replaced, for command-line options."""
    return replace(settings, **{k: v for k, v in changes.items() if v is not None})
