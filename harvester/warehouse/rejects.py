"""Rejected items: what the API sent that did not have the documented shape.

A rejected item is kept with its reason and raw JSON, once: the same bad item
returns with every re-read of the lookback window, so a fingerprint of its
campaign, list, stream and JSON keeps it to one row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table

from harvester.api.models import RejectedItem
from harvester.warehouse.models import RejectedItemRow
from harvester.warehouse.writes import unique_rows, upsert

REJECTED_ITEMS: Table = RejectedItemRow.__table__  # type: ignore[assignment]


def store_rejected(
    conn: Connection,
    run_id: str,
    names: tuple[str | None, str | None],
    stream: str,
    rejected: Sequence[RejectedItem],
    now: datetime,
) -> None:
    """Keeps rejected items aside with their reasons and raw JSON."""
    campaign, list_name = names
    rows = []
    for item in rejected:
        raw_json = _safe_json(item.raw)
        identity = "\x1f".join((campaign or "", list_name or "", stream, raw_json))
        rows.append(
            {
                "run_id": run_id,
                "campaign_name": campaign,
                "list_name": list_name,
                "stream": stream,
                "reason": item.reason,
                "raw_json": raw_json,
                "fingerprint": hashlib.sha256(identity.encode()).hexdigest(),
                "rejected_at": now,
                "last_seen_at": now,
            }
        )
    upsert(
        conn,
        REJECTED_ITEMS,
        unique_rows(rows, ("fingerprint",)),
        ("fingerprint",),
        ("last_seen_at",),
    )


def _safe_json(raw: Any) -> str:
    # Rejected items may hold anything JSON can (NaN, NUL, huge numbers);
    # escaping every non-ASCII character keeps them storable everywhere.
    try:
        return json.dumps(raw, sort_keys=True, ensure_ascii=True, default=repr)
    except (TypeError, ValueError):
        return repr(raw)
