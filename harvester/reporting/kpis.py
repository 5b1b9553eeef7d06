"""Reads the figures of `harvester report` from the reporting views."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from harvester.config import Settings
from harvester.reporting.query import fetch_dicts, open_reporting
from harvester.timeutil import utcnow

TOP_DISPOSITIONS = 3


@dataclass(frozen=True)
class Disposition:
    """One disposition of a campaign's attempts and its share of them."""

    disposition: str
    attempts: int
    share: float


@dataclass(frozen=True)
class CampaignKpis:
    """The headline figures of one campaign (a row of ``campaign_kpis``)."""

    campaign_name: str
    is_enabled: bool
    attempts: int
    records_attempted: int
    completions: int
    completion_rate: float | None
    connects: int
    contact_rate: float | None
    talk_seconds: int
    last_attempt_at: datetime | None
    last_harvest_at: datetime | None
    oldest_watermark: datetime | None
    top_dispositions: tuple[Disposition, ...] = ()

    def lag_seconds(self, now: datetime) -> float | None:
        """How far the stream furthest behind trails ``now`` (naive UTC)."""
        if self.oldest_watermark is None:
            return None
        return max(0.0, (now - self.oldest_watermark).total_seconds())


@dataclass(frozen=True)
class DailyPoint:
    """Attempts and completions of one campaign on one UTC day."""

    campaign_name: str
    day: date
    attempts: int
    completions: int


@dataclass(frozen=True)
class AgentDay:
    """The activity of one agent on one UTC day."""

    agent: str
    day: date
    attempts: int
    connects: int
    talk_seconds: int


@dataclass(frozen=True)
class ReportData:
    """Everything `harvester report` shows, read in one session."""

    generated_at: datetime
    campaigns: list[CampaignKpis]
    daily: list[DailyPoint] = field(default_factory=list)
    dispositions: dict[str, list[Disposition]] = field(default_factory=dict)
    agents: list[AgentDay] = field(default_factory=list)


def read_report(settings: Settings, now: datetime | None = None) -> ReportData:
    """Reads the report's figures from the reporting file.

    Like every reader of the views, it must not run beside open sqlite3
    connections to a SQLite warehouse in the same process (see
    ``open_reporting``).

    Args:
        settings: where the reporting file is.
        now: the time lags are measured against (naive UTC); by default now.

    Raises:
        ReportingError: the reporting file is missing or cannot be opened.
        QueryError: a view could not be read (for example, the warehouse is
            unreachable).
    """
    with open_reporting(settings) as conn:
        kpi_rows = fetch_dicts(conn, "select * from campaign_kpis order by 1")
        mix_rows = fetch_dicts(
            conn, "select * from disposition_mix order by 1, attempts desc, 2"
        )
        daily_rows = fetch_dicts(
            conn,
            "select campaign_name, day, attempts, completions "
            "from campaign_daily order by 1, 2",
        )
        agent_rows = fetch_dicts(
            conn,
            "select agent, day, attempts, connects, talk_seconds "
            "from agent_daily order by 1, 2",
        )

    dispositions = _group_dispositions(mix_rows)
    return ReportData(
        generated_at=now or utcnow().replace(tzinfo=None),
        campaigns=[_campaign(row, dispositions) for row in kpi_rows],
        daily=[DailyPoint(**row) for row in daily_rows],
        dispositions=dispositions,
        agents=[AgentDay(**row) for row in agent_rows],
    )


def _group_dispositions(rows: list[dict[str, Any]]) -> dict[str, list[Disposition]]:
    grouped: dict[str, list[Disposition]] = defaultdict(list)
    for row in rows:
        grouped[row["campaign_name"]].append(
            Disposition(row["disposition"], row["attempts"], row["share"])
        )
    return dict(grouped)


def _campaign(
    row: dict[str, Any], dispositions: dict[str, list[Disposition]]
) -> CampaignKpis:
    name = row["campaign_name"]
    return CampaignKpis(
        campaign_name=name,
        is_enabled=bool(row["enabled"]),
        attempts=row["attempts"],
        records_attempted=row["records_attempted"],
        completions=row["completions"],
        completion_rate=row["completion_rate"],
        connects=row["connects"],
        contact_rate=row["contact_rate"],
        talk_seconds=row["talk_seconds"],
        last_attempt_at=row["last_attempt_at"],
        last_harvest_at=row["last_harvest_at"],
        oldest_watermark=row["oldest_watermark"],
        top_dispositions=tuple(dispositions.get(name, [])[:TOP_DISPOSITIONS]),
    )
