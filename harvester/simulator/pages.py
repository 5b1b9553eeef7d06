"""The read methods' answers, rendered from the tenant's state at the clock."""

from __future__ import annotations

import json
from typing import Any

from harvester.simulator.render import (
    changed_item,
    completed_item,
    indexed_item,
    record_item,
)
from harvester.simulator.tenant import Tenant


def campaigns_body(tenant: Tenant) -> bytes:
    """campaign/getAll: the enabled campaigns with their lists."""
    with tenant.lock:
        tenant.sync()
        campaigns = [
            {
                "name": campaign.name,
                "state": campaign.state,
                "lists": [link.calling_list.name for link in campaign.links],
            }
            for campaign in tenant.campaigns.values()
            if campaign.is_enabled
        ]
    return json.dumps(campaigns, ensure_ascii=False).encode()


def indexed_page(
    tenant: Tenant, list_name: str, campaign: str, from_index: int, limit: int
) -> list[str]:
    """callinglist/getAll: records from ``from_index`` on, by index."""
    with tenant.lock:
        tenant.sync()
        calling_list, results = tenant.results_for(list_name, campaign)
        visible = {} if results is None else results.records
        stop = min(len(calling_list), from_index + limit)
        return [
            indexed_item(calling_list, index, visible.get(index))
            for index in range(from_index, stop)
        ]


def completed_page(
    tenant: Tenant, list_name: str, campaign: str, from_ms: int, limit: int
) -> list[str]:
    """callinglist/getCompleted: records completed at or after ``from_ms``."""
    with tenant.lock:
        tenant.sync()
        calling_list, results = tenant.results_for(list_name, campaign)
        if results is None:
            return []
        return [
            completed_item(calling_list, record)
            for record in results.completed_since(from_ms, limit)
        ]


def changed_page(
    tenant: Tenant, list_name: str, campaign: str, from_ms: int, limit: int
) -> list[str]:
    """callinglist/getChanged: records with an attempt at or after ``from_ms``."""
    with tenant.lock:
        tenant.sync()
        calling_list, results = tenant.results_for(list_name, campaign)
        if results is None:
            return []
        return [
            changed_item(calling_list, record)
            for record in results.changed_since(from_ms, limit)
        ]


def record_body(tenant: Tenant, list_name: str, campaign: str, fields: Any) -> str:
    """callinglist/get: one record and its status in the campaign.

    The API documents the campaign name of this method as optional ("use any
    string value instead"), so an unknown campaign gives the status of a
    record never called rather than 404.
    """
    with tenant.lock:
        tenant.sync()
        calling_list = tenant.calling_list(list_name)
        index = calling_list.find(fields)
        known = tenant.campaigns.get(campaign)
        results = None if known is None else known.link(list_name)
        record = None if results is None else results.records.get(index)
        return record_item(calling_list, index, record)
