"""Reads the harvest state for people: watermarks, last runs, errors and lag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from harvester.warehouse.models import (
    CallingListRow,
    CampaignRow,
    WatermarkRow,
)


@dataclass(frozen=True)
class StreamStatus:
    """Where one stream of a campaign and list stands."""

    campaign: str
    list_name: str
    stream: str
    is_enabled: bool
    watermark: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None

    def lag_seconds(self, now: datetime) -> float | None:
        """Now minus the watermark, in seconds (both naive UTC)."""
        if self.watermark is None:
            return None
        return (now - self.watermark).total_seconds()


def read_status(engine: Engine, campaign: str | None = None) -> list[StreamStatus]:
    """Every stream's watermark, last success and last error, by campaign."""
    query = (
        select(
            CampaignRow.name,
            CallingListRow.name,
            WatermarkRow.stream,
            CampaignRow.is_enabled,
            WatermarkRow.watermark,
            WatermarkRow.last_success_at,
            WatermarkRow.last_error,
            WatermarkRow.last_error_at,
        )
        .join(CampaignRow, CampaignRow.id == WatermarkRow.campaign_id)
        .join(CallingListRow, CallingListRow.id == WatermarkRow.list_id)
        .order_by(CampaignRow.name, CallingListRow.name, WatermarkRow.stream)
    )
    if campaign is not None:
        query = query.where(CampaignRow.name == campaign)
    with engine.connect() as conn:
        return [StreamStatus(*row) for row in conn.execute(query)]
