"""`harvester run`: the long-running daemon on an APScheduler 3 scheduler.

A discovery job keeps one interval job per enabled campaign (see `schedule`
for overlap, misfires, jitter and backoff); no exception escapes a job.

The first SIGTERM or SIGINT is a warm stop: no new work, the page in flight
commits, exit 0 within the stop timeout. A second signal stops at once: the
uncommitted page rolls back and is read again by the next run.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from harvester import __version__, metrics
from harvester.api.client import BpccClient
from harvester.api.models import Campaign
from harvester.config import Settings
from harvester.defaults import DEFAULT_BACKOFF_CAP_SECONDS
from harvester.errors import ApiError, HarvesterError
from harvester.harvest.context import HarvestContext, StopRequested
from harvester.harvest.cycle import discover, harvest_campaign
from harvester.harvest.streams import STREAMS
from harvester.health import HealthServer, assess
from harvester.reporting.refresh import ReportingRefresher
from harvester.schedule import (
    DISCOVERY_EXECUTOR,
    CampaignHealth,
    backoff_seconds,
    build_scheduler,
    campaign_trigger,
    is_due,
    standing_of,
)
from harvester.timeutil import utcnow
from harvester.warehouse import catalog
from harvester.warehouse.db import as_writer, mask_url
from harvester.warehouse.leases import hold_lease
from harvester.warehouse.status import read_status

logger = logging.getLogger(__name__)

DISCOVERY_JOB = "discovery"
REPORTING_JOB = "reporting"
CAMPAIGN_JOB_PREFIX = "campaign:"
EXIT_COLD_STOP = 0


@dataclass
class DaemonState:
    """What the jobs share: the last discovery and each campaign's health."""

    campaigns: dict[str, Campaign] = field(default_factory=dict)
    ids: catalog.CatalogIds | None = None
    health: dict[str, CampaignHealth] = field(default_factory=dict)
    discovery: CampaignHealth = field(default_factory=CampaignHealth)
    started_at: datetime = field(default_factory=utcnow)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Daemon:
    """The scheduler, its jobs, the signal handlers and the health server."""

    def __init__(self, settings: Settings, engine: Engine, workers: int = 4) -> None:
        self.settings = settings
        self.engine = engine
        self.writer = as_writer(engine)
        self.client = BpccClient.from_settings(settings)
        self.state = DaemonState()
        self.stop_event = threading.Event()
        self.health_server: HealthServer | None = None
        self._signals = 0
        self._running = 0
        self._idle = threading.Condition()
        self.scheduler = build_scheduler(workers, settings.interval_seconds)

    def context(self) -> HarvestContext:
        """A harvest context whose leases are PostgreSQL advisory locks."""
        return HarvestContext(
            settings=self.settings,
            client=self.client,
            engine=self.writer,
            lease=lambda c, n: hold_lease(self.engine, c, n),
            stop=self.stop_event,
        )

    def run_discovery(self) -> None:
        """Reads the enabled campaigns and adds, updates or removes their jobs."""
        if self.stop_event.is_set():
            return
        try:
            campaigns, ids = discover(self.context())
        except Exception as exc:  # nothing a job raises may stop the scheduler
            self._discovery_failed(exc)
            return

        metrics.DISCOVERY_RUNS.labels("success").inc()
        with self.state.lock:
            before = self.state.campaigns
            self.state.campaigns = {c.name: c for c in campaigns}
            self.state.ids = ids
            self.state.discovery.note_success(utcnow())
        self._sync_campaign_jobs(before, self.state.campaigns)

    def _discovery_failed(self, exc: Exception) -> None:
        if isinstance(exc, ApiError):
            metrics.count_api_error(exc)
        metrics.DISCOVERY_RUNS.labels("failure").inc()
        with self.state.lock:
            self.state.discovery.note_failure(utcnow(), _describe(exc))
            failures = self.state.discovery.consecutive_failures

        # Retry sooner than the discovery interval: until the first success
        # the daemon knows no campaign to harvest.
        wait = backoff_seconds(
            failures,
            self.settings.interval_seconds,
            self.settings.discovery_interval_seconds,
        )
        logger.error(
            "discovery failed failures=%d retry_in=%.0fs error=%s",
            failures,
            wait,
            _describe(exc),
        )
        if not self.stop_event.is_set():
            self.scheduler.modify_job(
                DISCOVERY_JOB, next_run_time=utcnow() + timedelta(seconds=wait)
            )

    def _sync_campaign_jobs(
        self, before: dict[str, Campaign], after: dict[str, Campaign]
    ) -> None:
        for name in sorted(set(before) - set(after)):
            if self.scheduler.get_job(CAMPAIGN_JOB_PREFIX + name) is not None:
                self.scheduler.remove_job(CAMPAIGN_JOB_PREFIX + name)
            with self.state.lock:
                self.state.health.pop(name, None)
            metrics.forget_campaign(name)
            logger.info("campaign job removed campaign=%r reason=not_enabled", name)

        # A job reads its campaign from the state on every run, so a campaign
        # whose lists changed keeps its job and only the log says so.
        for name in sorted(after):
            if name not in before:
                self.scheduler.add_job(
                    self.run_campaign,
                    campaign_trigger(self.settings.interval_seconds),
                    args=[name],
                    id=CAMPAIGN_JOB_PREFIX + name,
                    name=f"harvest {name}",
                    next_run_time=utcnow(),
                    replace_existing=True,
                )
            elif before[name].lists == after[name].lists:
                continue
            logger.info(
                "campaign job %s campaign=%r lists=%d",
                "added" if name not in before else "updated",
                name,
                len(after[name].lists),
            )

    def run_campaign(self, name: str) -> None:
        """One scheduled harvest of a campaign; never raises.

        The run is counted while it goes, so that a stop can wait for its
        page in flight; once a stop is requested no new run starts.
        """
        with self._idle:
            if self.stop_event.is_set():
                return
            self._running += 1
        try:
            self._run_campaign(name)
        finally:
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def _run_campaign(self, name: str) -> None:
        with self.state.lock:
            campaign = self.state.campaigns.get(name)
            ids = self.state.ids
            health = self.state.health.setdefault(name, CampaignHealth())
        if campaign is None or ids is None:
            return

        cap = DEFAULT_BACKOFF_CAP_SECONDS
        if is_due(health, utcnow(), self.settings.interval_seconds, cap):
            self._harvest(campaign, ids, health)
        else:
            logger.debug(
                "campaign backing off campaign=%r failures=%d",
                name,
                health.consecutive_failures,
            )
        self._observe(campaign)

    def _harvest(
        self, campaign: Campaign, ids: catalog.CatalogIds, health: CampaignHealth
    ) -> None:
        ctx = self.context()
        try:
            outcomes = harvest_campaign(ctx, campaign, ids)
        except StopRequested:
            logger.info(
                "campaign harvest stopped after the page in flight campaign=%r",
                campaign.name,
            )
            return
        except Exception as exc:  # nothing a job raises may stop the scheduler
            # A lease the warehouse could not grant is expected in an outage;
            # anything else is a defect, worth its traceback.
            is_known = isinstance(exc, HarvesterError)
            logger.error(
                "campaign harvest failed campaign=%r error=%s",
                campaign.name,
                _describe(exc),
                exc_info=not is_known,
            )
            metrics.HARVEST_RUNS.labels("failure").inc()
            self._note_failure(campaign.name, health, _describe(exc))
            return

        # Another daemon holding every list makes neither a success nor a failure.
        errors = [o.error for o in outcomes if o.error]
        if errors:
            self._note_failure(campaign.name, health, "; ".join(errors))
        elif any(not o.is_skipped for o in outcomes):
            self._note_success(campaign.name, health)

    def _note_failure(self, name: str, health: CampaignHealth, error: str) -> None:
        health.note_failure(utcnow(), error)
        failures, interval = health.consecutive_failures, self.settings.interval_seconds
        wait = backoff_seconds(failures, interval, DEFAULT_BACKOFF_CAP_SECONDS)
        if wait > interval:
            logger.warning(
                "campaign backing off campaign=%r failures=%d wait=%.0fs",
                name,
                failures,
                wait,
            )
        metrics.CAMPAIGN_FAILURES.labels(name).set(failures)

    def _note_success(self, name: str, health: CampaignHealth) -> None:
        if health.consecutive_failures:
            logger.info(
                "campaign recovered campaign=%r failures=%d",
                name,
                health.consecutive_failures,
            )
        health.note_success(utcnow())
        metrics.CAMPAIGN_FAILURES.labels(name).set(0)

    def _observe(self, campaign: Campaign) -> None:
        # Read from the warehouse, so that the figures are right whichever
        # replica harvested the campaign.
        try:
            rows = read_status(self.engine, campaign.name)
        except Exception as exc:
            logger.debug("metrics not updated campaign=%r error=%s", campaign.name, exc)
            return
        standing = standing_of(rows, campaign.lists, len(STREAMS), utcnow())
        metrics.observe_campaign(
            campaign.name, standing.lag_seconds, standing.last_success_at
        )

    def check_health(self) -> tuple[bool, list[str]]:
        """Healthy while the scheduler runs and every campaign harvested lately."""
        if not self.scheduler.running or self.stop_event.is_set():
            return False, ["scheduler is not running"]
        with self.state.lock:
            campaigns = [c for c in self.state.campaigns.values() if c.lists]
            discovery = replace(self.state.discovery)
        allowed = self.settings.health_intervals * self.settings.interval_seconds
        reasons = assess(
            self.engine, campaigns, discovery, self.state.started_at, allowed
        )
        return not reasons, reasons

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
        """Runs until a signal asks it to stop, then stops within the timeout.

        Threads still waiting on the network when it returns (a discovery,
        or a run past the timeout) hold nothing uncommitted worth keeping,
        so the caller may end the process without joining them.
        """
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
            executor=DISCOVERY_EXECUTOR,
            next_run_time=utcnow(),
        )
        self.scheduler.add_job(
            ReportingRefresher(self.settings, self.engine).refresh,
            IntervalTrigger(seconds=self.settings.interval_seconds),
            id=REPORTING_JOB,
            name="refresh reporting views",
            executor=DISCOVERY_EXECUTOR,
        )
        self.scheduler.start()
        self._log_start()
        self.stop_event.wait()
        self._stop()

    def _log_start(self) -> None:
        settings = self.settings
        logger.info(
            "daemon started version=%s interval=%ss discovery_interval=%ss "
            "stop_timeout=%ss http_port=%s database=%s config=%s",
            __version__,
            settings.interval_seconds,
            settings.discovery_interval_seconds,
            settings.stop_timeout_seconds,
            settings.http_port or "off",
            mask_url(settings.database_url),
            settings.source,
        )
        if not settings.verify_tls:
            logger.warning(
                "TLS verification is off (BPCC_VERIFY_TLS); the tenant's "
                "certificate is not checked base_url=%s",
                settings.base_url,
            )

    def _stop(self) -> None:
        # Only campaign runs are waited for: they write pages. Discovery
        # writes in one transaction, which rolls back if it is cut short.
        self.scheduler.shutdown(wait=False)
        timeout = self.settings.stop_timeout_seconds
        with self._idle:
            is_idle = self._idle.wait_for(lambda: self._running == 0, timeout)
        if self.health_server is not None:
            self.health_server.stop()
        self.client.close()
        if is_idle:
            logger.info("daemon stopped cleanly")
        else:
            # A request still hangs past the timeout: its page was not
            # committed, so leaving now loses nothing.
            logger.warning(
                "stop timeout of %ss reached; leaving runs in flight", timeout
            )


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """Settings with some values replaced, for command-line options."""
    return replace(settings, **{k: v for k, v in changes.items() if v is not None})


def _describe(exc: BaseException) -> str:
    # The harvester's own errors carry a full sentence; others need their type.
    if isinstance(exc, HarvesterError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
