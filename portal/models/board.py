"""Ranking boards (rules §8) kept as snapshots: one pointer row per campaign and board, naming the table
that holds the board's rows as of its last refresh.

The snapshot tables themselves are made by the refresh (``CREATE TABLE … AS SELECT …``) and dropped one
refresh later, so they are not models: ``portal/boards/snapshots.py`` describes their columns and
``migrations/env.py`` leaves tables named ``board_snap_*`` out of autogenerate.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, str_enum, utcnow

SNAPSHOT_TABLE_PREFIX = "board_snap_"


class Board(Base):
    """Where a campaign's board of one kind is read from. Swapping a refresh in is one UPDATE of this row,
    so readers never wait: they read the table the row names, old or new, and the old table is dropped
    only at the refresh after (long after any reader of it has finished)."""

    __tablename__ = "boards"
    __table_args__ = (UniqueConstraint("campaign_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # individual, team, unit
    version: Mapped[int] = mapped_column(default=0)
    table_name: Mapped[str | None] = mapped_column(String(63))
    previous_table: Mapped[str | None] = mapped_column(String(63))
    row_count: Mapped[int] = mapped_column(default=0)
    computed_at: Mapped[datetime | None]
    # Campaign days counted when it was computed (the denominators of the rates).
    days_so_far: Mapped[int] = mapped_column(default=0)
    # Set by the first refresh after the campaign's last day closed: the final board, never changed again.
    frozen_at: Mapped[datetime | None]
    # A refresh claims the board by setting this (a conditional UPDATE), so two workers never refresh one
    # board at once; a claim older than the refresh lease is taken over (its worker died).
    refreshing_since: Mapped[datetime | None]


class TotalsCutoff(Base):
    """How far a campaign's ``EnrollmentTotals`` reach: every closed day up to and including
    ``through_day`` is in them, no later day is. A board adds the days after it from the records.

    Settlement moves it forward (``settled_totals.settle_totals``, holding this row's lock while it
    recounts); a write to a day at or before it moves it back to the day before (``reopen_totals``), so
    the boards count that day from the records again until the next settlement."""

    __tablename__ = "totals_cutoffs"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    through_day: Mapped[date]


class EnrollmentTotals(Base):
    """One enrolment's figures over the closed days up to its campaign's ``TotalsCutoff``: what the
    individual board would group out of 30 daily records and check-ins, grouped once by settlement.
    Derived rows, replaced whole by each settlement; an enrolment with no record and no check-in by then
    has none."""

    __tablename__ = "enrollment_totals"
    __table_args__ = (Index("ix_enrollment_totals_campaign", "campaign_id"),)

    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key: the enrolment's cascades the row away, and settlement writes a million of these
    # rows a night, where each key checked costs (docs/benchmarks.md, the dashboard's figures).
    campaign_id: Mapped[int]
    record_days: Mapped[int]  # days with a daily record (the member took part)
    qualified_days: Mapped[int]
    steps: Mapped[int] = mapped_column(BigInteger)  # counted steps, before the rules' total cap
    last_synced_at: Mapped[datetime | None]  # the latest record's arrival
    checkin_days: Mapped[int]


class ExportStatus(enum.StrEnum):
    QUEUED = "queued"  # asked for; waiting for the job
    RUNNING = "running"  # claimed by one job, being written
    DONE = "done"  # the file is written and may be downloaded by whoever asked for it
    FAILED = "failed"  # the job raised; nothing to download


class BoardExport(Base):
    """A board's export written by a background job (``portal/boards/export_files.py``): boards too large
    to write within a page request. The file lies under ``EXPORT_DIR`` and only its requester downloads
    it; rows and files are forgotten ``BOARD_EXPORT_KEEP_DAYS`` after the request."""

    __tablename__ = "board_exports"
    __table_args__ = (Index("ix_board_exports_requested_by_id", "requested_by_id", "requested_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # individual, team, unit
    # The dashboard's exports: only the rows of units under this node (None: the whole board).
    within_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[ExportStatus] = mapped_column(str_enum(ExportStatus), default=ExportStatus.QUEUED)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    row_count: Mapped[int | None]
    byte_size: Mapped[int | None]
    # The file's name under EXPORT_DIR (``board-<id>-<random>.xlsx``), once written.
    file_name: Mapped[str | None] = mapped_column(String(80))
