"""Initial schema: campaigns, calling lists, records, results, attempts, runs.

Every constraint and index is named as the naming convention of
harvester/warehouse/models.py names it, so that later revisions can address
them by name on SQLite and PostgreSQL alike.

Revision ID: 0001
Revises:
Create Date: 2026-01-05 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables in the order they are created; downgrade drops them in reverse.
TABLES = (
    "campaigns",
    "calling_lists",
    "campaign_lists",
    "list_records",
    "record_fields",
    "record_results",
    "call_attempts",
    "watermarks",
    "harvest_runs",
    "rejected_items",
)


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(), nullable=nullable)


def _text(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.Text(), nullable=nullable)


def _foreign_keys(table: str, *columns: str) -> list[sa.ForeignKeyConstraint]:
    """Foreign keys from `<x>_id` columns to campaigns or calling_lists."""
    targets = {"campaign_id": "campaigns", "list_id": "calling_lists"}
    return [
        sa.ForeignKeyConstraint(
            [column],
            [f"{targets[column]}.id"],
            name=f"fk_{table}_{column}_{targets[column]}",
        )
        for column in columns
    ]


def _create_campaigns() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("name", nullable=False),
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        _timestamp("first_seen_at"),
        _timestamp("last_seen_at"),
        sa.PrimaryKeyConstraint("id", name="pk_campaigns"),
        sa.UniqueConstraint("name", name="uq_campaigns_name"),
    )


def _create_calling_lists() -> None:
    op.create_table(
        "calling_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        _text("name", nullable=False),
        _timestamp("first_seen_at"),
        _timestamp("last_seen_at"),
        sa.PrimaryKeyConstraint("id", name="pk_calling_lists"),
        sa.UniqueConstraint("name", name="uq_calling_lists_name"),
    )


def _create_campaign_lists() -> None:
    op.create_table(
        "campaign_lists",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("is_linked", sa.Boolean(), nullable=False),
        _timestamp("first_seen_at"),
        _timestamp("last_seen_at"),
        sa.PrimaryKeyConstraint("campaign_id", "list_id", name="pk_campaign_lists"),
        *_foreign_keys("campaign_lists", "campaign_id", "list_id"),
    )


def _create_list_records() -> None:
    op.create_table(
        "list_records",
        sa.Column("list_id", sa.Integer(), nullable=False),
        _text("record_key", nullable=False),
        _text("entry_json", nullable=False),
        _timestamp("first_seen_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("list_id", "record_key", name="pk_list_records"),
        *_foreign_keys("list_records", "list_id"),
    )


def _create_record_fields() -> None:
    op.create_table(
        "record_fields",
        sa.Column("list_id", sa.Integer(), nullable=False),
        _text("record_key", nullable=False),
        _text("field_name", nullable=False),
        _text("field_value"),
        sa.PrimaryKeyConstraint(
            "list_id", "record_key", "field_name", name="pk_record_fields"
        ),
        *_foreign_keys("record_fields", "list_id"),
    )
    op.create_index(
        "ix_record_fields_list_id_field_name",
        "record_fields",
        ["list_id", "field_name"],
    )


def _create_record_results() -> None:
    op.create_table(
        "record_results",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        _text("record_key", nullable=False),
        sa.Column("is_completed", sa.Boolean(), nullable=False),
        _timestamp("completed_at", nullable=True),
        _text("record_disposition"),
        _text("record_disposition_code"),
        sa.Column("total_attempts", sa.Integer(), nullable=True),
        _timestamp("last_attempt_at", nullable=True),
        _text("last_disposition"),
        _text("last_agent"),
        _text("last_phone"),
        sa.Column("last_call_duration", sa.Integer(), nullable=True),
        _text("global_interaction_id"),
        _text("changed_json"),
        _text("completed_json"),
        _text("status_json"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint(
            "campaign_id", "list_id", "record_key", name="pk_record_results"
        ),
        *_foreign_keys("record_results", "campaign_id", "list_id"),
    )
    op.create_index(
        "ix_record_results_campaign_id_completed_at",
        "record_results",
        ["campaign_id", "completed_at"],
    )
    op.create_index(
        "ix_record_results_list_id_record_key",
        "record_results",
        ["list_id", "record_key"],
    )


def _create_call_attempts() -> None:
    op.create_table(
        "call_attempts",
        _text("attempt_key", nullable=False),
        _text("global_interaction_id"),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        _text("record_key", nullable=False),
        _timestamp("attempt_at"),
        _text("phone"),
        _text("agent"),
        _text("disposition"),
        _text("disposition_code"),
        sa.Column("call_attempted", sa.Boolean(), nullable=False),
        sa.Column("call_duration", sa.Integer(), nullable=False),
        sa.Column("dialing_duration", sa.Integer(), nullable=False),
        sa.Column("cpa_duration", sa.Integer(), nullable=False),
        _text("call_notes"),
        _text("raw_json", nullable=False),
        _timestamp("harvested_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("attempt_key", name="pk_call_attempts"),
        sa.UniqueConstraint(
            "global_interaction_id", name="uq_call_attempts_global_interaction_id"
        ),
        *_foreign_keys("call_attempts", "campaign_id", "list_id"),
    )
    _create_call_attempts_indexes()


def _create_call_attempts_indexes() -> None:
    op.create_index(
        "ix_call_attempts_campaign_id_attempt_at",
        "call_attempts",
        ["campaign_id", "attempt_at"],
    )
    op.create_index(
        "ix_call_attempts_list_id_record_key",
        "call_attempts",
        ["list_id", "record_key"],
    )
    op.create_index("ix_call_attempts_attempt_at", "call_attempts", ["attempt_at"])


def _create_watermarks() -> None:
    op.create_table(
        "watermarks",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("stream", sa.String(16), nullable=False),
        _timestamp("watermark", nullable=True),
        _timestamp("last_success_at", nullable=True),
        _text("last_error"),
        _timestamp("last_error_at", nullable=True),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint(
            "campaign_id", "list_id", "stream", name="pk_watermarks"
        ),
        *_foreign_keys("watermarks", "campaign_id", "list_id"),
    )


def _big_id() -> sa.Column[Any]:
    # BIGSERIAL on PostgreSQL; on SQLite only INTEGER aliases the rowid and
    # so numbers rows by itself.
    kind = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    return sa.Column("id", kind, nullable=False)


def _create_harvest_runs() -> None:
    op.create_table(
        "harvest_runs",
        _big_id(),
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _text("campaign_name"),
        _text("list_name"),
        _text("worker", nullable=False),
        _timestamp("started_at"),
        _timestamp("finished_at", nullable=True),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("pages", "records", "attempts", "rejected", "sweeps")
        ),
        _text("error"),
        sa.PrimaryKeyConstraint("id", name="pk_harvest_runs"),
    )
    op.create_index("ix_harvest_runs_run_id", "harvest_runs", ["run_id"])
    op.create_index(
        "ix_harvest_runs_campaign_name_list_name_started_at",
        "harvest_runs",
        ["campaign_name", "list_name", "started_at"],
    )


def _create_rejected_items() -> None:
    op.create_table(
        "rejected_items",
        _big_id(),
        sa.Column("run_id", sa.String(36), nullable=False),
        _text("campaign_name"),
        _text("list_name"),
        sa.Column("stream", sa.String(16), nullable=False),
        _text("reason", nullable=False),
        _text("raw_json", nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        _timestamp("rejected_at"),
        _timestamp("last_seen_at"),
        sa.PrimaryKeyConstraint("id", name="pk_rejected_items"),
        sa.UniqueConstraint("fingerprint", name="uq_rejected_items_fingerprint"),
    )
    op.create_index("ix_rejected_items_run_id", "rejected_items", ["run_id"])


def upgrade() -> None:
    """Creates every table of the warehouse, parents before children."""
    _create_campaigns()
    _create_calling_lists()
    _create_campaign_lists()
    _create_list_records()
    _create_record_fields()
    _create_record_results()
    _create_call_attempts()
    _create_watermarks()
    _create_harvest_runs()
    _create_rejected_items()


def downgrade() -> None:
    """Drops every table, children before parents; indexes go with them."""
    for table in reversed(TABLES):
        op.drop_table(table)
