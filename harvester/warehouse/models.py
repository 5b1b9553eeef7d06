"""The warehouse schema as typed SQLAlchemy declarative models.

Times are stored as naive UTC timestamps, the one form SQLite and PostgreSQL
share. Every harvested item keeps its latest raw JSON beside the flattened
columns, so that `harvester rebuild` can flatten it again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Explicit constraint names keep Alembic migrations identical on every dialect.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Names in the API have no documented length limit; Text avoids guessing one.
Name = Text


class Base(DeclarativeBase):
    """Base of every warehouse model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class CampaignRow(Base):
    """A campaign the API listed at least once."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Name, unique=True)
    state: Mapped[str] = mapped_column(String(64), default="")
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)


class CallingListRow(Base):
    """A calling list named by a campaign."""

    __tablename__ = "calling_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Name, unique=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)


class CampaignListRow(Base):
    """A link between a campaign and one of its calling lists."""

    __tablename__ = "campaign_lists"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id"), primary_key=True
    )
    list_id: Mapped[int] = mapped_column(
        ForeignKey("calling_lists.id"), primary_key=True
    )
    is_linked: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)


class ListRecordRow(Base):
    """The latest entry of a record of a calling list."""

    __tablename__ = "list_records"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("calling_lists.id"), primary_key=True
    )
    record_key: Mapped[str] = mapped_column(Text, primary_key=True)
    entry_json: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class RecordFieldRow(Base):
    """One field of a record's latest entry: the entries flattened."""

    __tablename__ = "record_fields"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("calling_lists.id"), primary_key=True
    )
    record_key: Mapped[str] = mapped_column(Text, primary_key=True)
    field_name: Mapped[str] = mapped_column(Text, primary_key=True)
    field_value: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "list_id", "field_name"),)


class RecordResultRow(Base):
    """The results of calling one record in one campaign."""

    __tablename__ = "record_results"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id"), primary_key=True
    )
    list_id: Mapped[int] = mapped_column(
        ForeignKey("calling_lists.id"), primary_key=True
    )
    record_key: Mapped[str] = mapped_column(Text, primary_key=True)
    is_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)
    record_disposition: Mapped[str | None] = mapped_column(Text)
    record_disposition_code: Mapped[str | None] = mapped_column(Text)
    total_attempts: Mapped[int | None] = mapped_column(Integer)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_disposition: Mapped[str | None] = mapped_column(Text)
    last_agent: Mapped[str | None] = mapped_column(Text)
    last_phone: Mapped[str | None] = mapped_column(Text)
    last_call_duration: Mapped[int | None] = mapped_column(Integer)
    global_interaction_id: Mapped[str | None] = mapped_column(Text)
    # The latest raw item of each stream that described this result.
    changed_json: Mapped[str | None] = mapped_column(Text)
    completed_json: Mapped[str | None] = mapped_column(Text)
    status_json: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index(None, "campaign_id", "completed_at"),
        Index(None, "list_id", "record_key"),
    )


class CallAttemptRow(Base):
    """One call attempt.

    ``attempt_key`` is ``gid:<globalInteractionID>`` when the API gives one,
    else ``nk:`` and a digest of campaign, list, record_key, date and phone.
    """

    __tablename__ = "call_attempts"

    attempt_key: Mapped[str] = mapped_column(Text, primary_key=True)
    global_interaction_id: Mapped[str | None] = mapped_column(Text)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    list_id: Mapped[int] = mapped_column(ForeignKey("calling_lists.id"))
    record_key: Mapped[str] = mapped_column(Text)
    attempt_at: Mapped[datetime] = mapped_column(DateTime)
    phone: Mapped[str | None] = mapped_column(Text)
    agent: Mapped[str | None] = mapped_column(Text)
    disposition: Mapped[str | None] = mapped_column(Text)
    disposition_code: Mapped[str | None] = mapped_column(Text)
    call_attempted: Mapped[bool] = mapped_column(Boolean, default=False)
    call_duration: Mapped[int] = mapped_column(Integer, default=0)
    dialing_duration: Mapped[int] = mapped_column(Integer, default=0)
    cpa_duration: Mapped[int] = mapped_column(Integer, default=0)
    call_notes: Mapped[str | None] = mapped_column(Text)
    raw_json: Mapped[str] = mapped_column(Text)
    harvested_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("global_interaction_id"),
        Index(None, "campaign_id", "attempt_at"),
        Index(None, "list_id", "record_key"),
        Index(None, "attempt_at"),
    )


class WatermarkRow(Base):
    """How far a stream of a campaign and list has been harvested."""

    __tablename__ = "watermarks"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id"), primary_key=True
    )
    list_id: Mapped[int] = mapped_column(
        ForeignKey("calling_lists.id"), primary_key=True
    )
    stream: Mapped[str] = mapped_column(String(16), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(DateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class HarvestRunRow(Base):
    """One harvest of one campaign and list (or a whole cycle's summary)."""

    __tablename__ = "harvest_runs"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    run_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    campaign_name: Mapped[str | None] = mapped_column(Text)
    list_name: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    sweeps: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "campaign_name", "list_name", "started_at"),)


class RejectedItemRow(Base):
    """An item the API sent that did not have the documented shape."""

    __tablename__ = "rejected_items"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True
    )
    run_id: Mapped[str] = mapped_column(String(36), index=True)
    campaign_name: Mapped[str | None] = mapped_column(Text)
    list_name: Mapped[str | None] = mapped_column(Text)
    stream: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    raw_json: Mapped[str] = mapped_column(Text)
    # The same bad item comes back with every re-read of the lookback window;
    # the fingerprint (campaign, list, stream, raw JSON) keeps it one row.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    rejected_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
