"""Generated warehouse rows for the reporting benchmark, and their bulk loading.

Five campaigns each dial their own list; about four attempts per record over
thirty days, a third of the records completed. Rows go in with executemany
(SQLite, one transaction) or COPY (PostgreSQL), never through the API.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

CAMPAIGNS = 5
ATTEMPTS_PER_RECORD = 4
DAYS = 30
START = datetime(2026, 1, 5)
BATCH = 50_000
DISPOSITIONS = (
    ("No answer", "", 0),
    ("Busy", "", 0),
    ("Answering machine", "", 0),
    ("Call back later", "CB", 1),
    ("Not interested", "NI", 1),
    ("Product sold", "SALE", 1),
)


def generate_attempts(total: int, seed: int) -> Iterator[tuple[Any, ...]]:
    """Call attempt rows: every record of a campaign's list, dialed up to 4 times."""
    rng = random.Random(seed)
    records = total // (CAMPAIGNS * ATTEMPTS_PER_RECORD) or 1
    harvested = START + timedelta(days=DAYS)
    number = 0
    while number < total:
        campaign = number // (total // CAMPAIGNS or 1) % CAMPAIGNS + 1
        record = str(rng.randrange(records))
        at = START + timedelta(
            days=rng.randrange(DAYS), seconds=8 * 3600 + rng.randrange(12 * 3600)
        )
        name, code, connected = rng.choice(DISPOSITIONS)
        duration = rng.randrange(20, 400) if connected else 0
        yield (
            f"gid:{number}",
            f"GID-{number}",
            campaign,
            campaign,
            record,
            at,
            f"1617{rng.randrange(10**7):07d}",
            f"agent{rng.randrange(50)}" if connected else "",
            name,
            code,
            bool(connected),
            duration,
            rng.randrange(2, 30),
            rng.randrange(0, 5),
            "",
            "{}",
            harvested,
            harvested,
        )
        number += 1


def generate_results(total: int, seed: int) -> Iterator[tuple[Any, ...]]:
    """record_results rows: about a third of the records completed."""
    rng = random.Random(seed + 1)
    records = total // (CAMPAIGNS * ATTEMPTS_PER_RECORD) or 1
    harvested = START + timedelta(days=DAYS)
    for campaign in range(1, CAMPAIGNS + 1):
        for record in range(records):
            done = rng.random() < 0.3
            at = START + timedelta(days=rng.randrange(DAYS), hours=9 + rng.randrange(9))
            yield (
                campaign,
                campaign,
                str(record),
                done,
                at if done else None,
                "Product sold" if done else "",
                "SALE" if done else "",
                4,
                at,
                "Product sold",
                "agent1",
                "16170000000",
                60,
                None,
                harvested,
            )


ATTEMPT_COLUMNS = (
    "attempt_key, global_interaction_id, campaign_id, list_id, record_key, "
    "attempt_at, phone, agent, disposition, disposition_code, call_attempted, "
    "call_duration, dialing_duration, cpa_duration, call_notes, raw_json, "
    "harvested_at, updated_at"
)
RESULT_COLUMNS = (
    "campaign_id, list_id, record_key, is_completed, completed_at, "
    "record_disposition, record_disposition_code, total_attempts, last_attempt_at, "
    "last_disposition, last_agent, last_phone, last_call_duration, "
    "global_interaction_id, updated_at"
)


def catalog_rows() -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Campaigns, lists and links: campaign n dials list n."""
    seen = START
    return [
        (
            "insert into campaigns (id, name, state, is_enabled, first_seen_at, "
            "last_seen_at) values ({})",
            [(n, f"Campaign {n}", "RUNNING", True, seen, seen) for n in range(1, 6)],
        ),
        (
            "insert into calling_lists (id, name, first_seen_at, last_seen_at) "
            "values ({})",
            [(n, f"List {n}.csv", seen, seen) for n in range(1, CAMPAIGNS + 1)],
        ),
        (
            "insert into campaign_lists (campaign_id, list_id, is_linked, "
            "first_seen_at, last_seen_at) values ({})",
            [(n, n, True, seen, seen) for n in range(1, CAMPAIGNS + 1)],
        ),
    ]


def load_sqlite(path: Path, total: int, seed: int) -> None:
    """Bulk-loads the generated rows with executemany, in one transaction."""
    conn = sqlite3.connect(path)
    try:
        for template, rows in catalog_rows():
            conn.executemany(template.format(", ".join("?" * len(rows[0]))), rows)
        for table, columns, rows_of in (
            ("call_attempts", ATTEMPT_COLUMNS, generate_attempts),
            ("record_results", RESULT_COLUMNS, generate_results),
        ):
            marks = ", ".join("?" * (columns.count(",") + 1))
            statement = f"insert into {table} ({columns}) values ({marks})"
            batch: list[tuple[Any, ...]] = []
            for row in rows_of(total, seed):
                batch.append(row)
                if len(batch) == BATCH:
                    conn.executemany(statement, batch)
                    batch.clear()
            conn.executemany(statement, batch)
        conn.commit()
        conn.execute("analyze")
    finally:
        conn.close()


def load_postgres(dsn: str, total: int, seed: int) -> None:
    """Bulk-loads the generated rows with COPY."""
    with psycopg.connect(dsn) as conn:
        for template, rows in catalog_rows():
            marks = ", ".join(["%s"] * len(rows[0]))
            conn.cursor().executemany(template.format(marks), rows)
        for table, columns, rows_of in (
            ("call_attempts", ATTEMPT_COLUMNS, generate_attempts),
            ("record_results", RESULT_COLUMNS, generate_results),
        ):
            statement = f"copy {table} ({columns}) from stdin"
            with conn.cursor().copy(statement) as copy:
                for row in rows_of(total, seed):
                    copy.write_row(row)
        conn.commit()
        conn.execute("analyze")
