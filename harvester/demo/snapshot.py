"""What the demo's live view shows: per campaign, the tenant beside the warehouse."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, func, select

from harvester.harvest.watermarks import as_utc
from harvester.simulator import GroundTruth
from harvester.warehouse.models import (
    CallAttemptRow,
    CampaignListRow,
    CampaignRow,
    RecordResultRow,
    WatermarkRow,
)


@dataclass(frozen=True)
class CampaignFigures:
    """One campaign's row of the live view.

    Attributes:
        campaign: the campaign's name.
        lists: calling lists the warehouse links to it.
        attempts: call attempts stored in the warehouse.
        tenant_attempts: attempts the tenant shows through the API.
        completions: completed records stored.
        tenant_completions: completed records the tenant shows.
        oldest_watermark: the watermark of the stream furthest behind.
        last_success_at: when a stream of the campaign was last harvested.
        last_error: the error of the last failed harvest, if any.
    """

    campaign: str
    lists: int = 0
    attempts: int = 0
    tenant_attempts: int = 0
    completions: int = 0
    tenant_completions: int = 0
    oldest_watermark: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None

    def lag_seconds(self, tenant_now: datetime) -> float | None:
        """The tenant's clock minus the oldest watermark, in simulated seconds."""
        watermark = as_utc(self.oldest_watermark)
        if watermark is None:
            return None
        return max(0.0, (tenant_now - watermark).total_seconds())


@dataclass(frozen=True)
class Snapshot:
    """The whole live view at one moment."""

    tenant_now: datetime
    campaigns: list[CampaignFigures]

    @property
    def attempts(self) -> int:
        """Attempts stored in the warehouse, over every campaign."""
        return sum(c.attempts for c in self.campaigns)

    @property
    def tenant_attempts(self) -> int:
        """Attempts the tenant shows, over every campaign."""
        return sum(c.tenant_attempts for c in self.campaigns)

    @property
    def completions(self) -> int:
        """Completed records stored, over every campaign."""
        return sum(c.completions for c in self.campaigns)

    def max_lag_seconds(self) -> float | None:
        """The lag of the campaign furthest behind, in simulated seconds."""
        lags = [
            lag
            for c in self.campaigns
            if (lag := c.lag_seconds(self.tenant_now)) is not None
        ]
        return max(lags, default=None)


@dataclass(frozen=True)
class _Stored:
    """The warehouse's figures, each by campaign name."""

    lists: dict[str, int]
    attempts: dict[str, int]
    completions: dict[str, int]
    watermarks: dict[str, tuple[datetime | None, datetime | None, str | None]]


def take_snapshot(engine: Engine, truth: GroundTruth) -> Snapshot:
    """Counts the warehouse's rows per campaign and the tenant's visible state."""
    tenant_attempts = Counter(a.campaign for a in truth.attempts)
    tenant_completions = Counter(
        campaign for (campaign, _, _), r in truth.results.items() if r.completed
    )

    stored = _read_warehouse(engine)
    names = sorted({*tenant_attempts, *stored.lists})
    campaigns = [
        CampaignFigures(
            name,
            stored.lists.get(name, 0),
            stored.attempts.get(name, 0),
            tenant_attempts[name],
            stored.completions.get(name, 0),
            tenant_completions[name],
            *stored.watermarks.get(name, (None, None, None)),
        )
        for name in names
    ]
    return Snapshot(tenant_now=truth.taken_at, campaigns=campaigns)


def _read_warehouse(engine: Engine) -> _Stored:
    per_campaign = [
        select(CampaignListRow.campaign_id, func.count())
        .where(CampaignListRow.is_linked)
        .group_by(CampaignListRow.campaign_id),
        select(CallAttemptRow.campaign_id, func.count()).group_by(
            CallAttemptRow.campaign_id
        ),
        select(RecordResultRow.campaign_id, func.count())
        .where(RecordResultRow.is_completed)
        .group_by(RecordResultRow.campaign_id),
    ]
    watermarks = select(
        WatermarkRow.campaign_id,
        func.min(WatermarkRow.watermark),
        func.max(WatermarkRow.last_success_at),
        func.max(WatermarkRow.last_error),
    ).group_by(WatermarkRow.campaign_id)

    with engine.connect() as conn:
        campaigns = conn.execute(select(CampaignRow.id, CampaignRow.name))
        names = {campaign_id: name for campaign_id, name in campaigns}
        lists, attempts, completions = (
            {names[i]: count for i, count in conn.execute(query)}
            for query in per_campaign
        )
        marks = {
            names[i]: (oldest, latest, error)
            for i, oldest, latest, error in conn.execute(watermarks)
        }
    return _Stored(lists, attempts, completions, marks)
