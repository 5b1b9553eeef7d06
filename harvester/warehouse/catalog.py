"""Campaigns, calling lists and their links, as discovery last saw them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Table, select, update

from harvester.api.models import Campaign
from harvester.warehouse.models import CallingListRow, CampaignListRow, CampaignRow
from harvester.warehouse.writes import upsert

CAMPAIGNS: Table = CampaignRow.__table__  # type: ignore[assignment]
CALLING_LISTS: Table = CallingListRow.__table__  # type: ignore[assignment]
CAMPAIGN_LISTS: Table = CampaignListRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class CatalogIds:
    """Warehouse ids of the campaigns and calling lists discovery saw."""

    campaigns: dict[str, int]
    lists: dict[str, int]


def _name(campaign: Campaign) -> str:
    return campaign.name


def _ids_by_name(conn: Connection, table: Table, names: set[str]) -> dict[str, int]:
    if not names:
        return {}
    rows = conn.execute(select(table.c.name, table.c.id).where(table.c.name.in_(names)))
    return {name: row_id for name, row_id in rows}


def sync_catalog(
    conn: Connection, campaigns: Sequence[Campaign], now: datetime, *, is_complete: bool
) -> CatalogIds:
    """Records the campaigns and lists the API listed, and their links.

    Args:
        campaigns: the enabled campaigns as campaign/getAll returned them.
        now: the discovery time, naive UTC.
        is_complete: whether ``campaigns`` is everything the API listed, so
            that campaigns missing from it are marked not enabled.
    """
    upsert(
        conn,
        CAMPAIGNS,
        [
            {
                "name": c.name,
                "state": c.state,
                "is_enabled": True,
                "first_seen_at": now,
                "last_seen_at": now,
            }
            # Sorted, so that concurrent discoveries lock rows in one order.
            for c in sorted({c.name: c for c in campaigns}.values(), key=_name)
        ],
        ("name",),
        ("state", "is_enabled", "last_seen_at"),
    )
    list_names = {name for c in campaigns for name in c.lists}
    upsert(
        conn,
        CALLING_LISTS,
        [
            {"name": n, "first_seen_at": now, "last_seen_at": now}
            for n in sorted(list_names)
        ],
        ("name",),
        ("last_seen_at",),
    )
    ids = CatalogIds(
        campaigns=_ids_by_name(conn, CAMPAIGNS, {c.name for c in campaigns}),
        lists=_ids_by_name(conn, CALLING_LISTS, list_names),
    )
    _sync_links(conn, campaigns, ids, now)
    if is_complete:
        conn.execute(
            update(CAMPAIGNS)
            .where(CAMPAIGNS.c.id.not_in(list(ids.campaigns.values())))
            .values(is_enabled=False)
        )
    return ids


def _sync_links(
    conn: Connection, campaigns: Sequence[Campaign], ids: CatalogIds, now: datetime
) -> None:
    links = [
        {
            "campaign_id": ids.campaigns[c.name],
            "list_id": ids.lists[name],
            "is_linked": True,
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for c in campaigns
        for name in c.lists
    ]
    upsert(
        conn,
        CAMPAIGN_LISTS,
        sorted(
            {(r["campaign_id"], r["list_id"]): r for r in links}.values(),
            key=lambda r: (r["campaign_id"], r["list_id"]),
        ),
        ("campaign_id", "list_id"),
        ("is_linked", "last_seen_at"),
    )
    # A list a campaign no longer names keeps its history but is unlinked.
    for campaign in campaigns:
        current = [ids.lists[name] for name in campaign.lists]
        conn.execute(
            update(CAMPAIGN_LISTS)
            .where(
                CAMPAIGN_LISTS.c.campaign_id == ids.campaigns[campaign.name],
                CAMPAIGN_LISTS.c.list_id.not_in(current),
            )
            .values(is_linked=False)
        )


def enabled_campaign_names(conn: Connection) -> list[str]:
    """Names of the campaigns the API listed at the last discovery."""
    query = select(CAMPAIGNS.c.name).where(CAMPAIGNS.c.is_enabled.is_(True))
    return sorted(conn.execute(query).scalars())
