"""Ranking boards (SPEC §8) kept as snapshots: one pointer row per campaign and board, naming the table
that holds the board's rows as of its last refresh.

The snapshot tables themselves are made by the refresh (``CREATE TABLE … AS SELECT …``) and dropped one
refresh later, so they are not models: ``portal/services/board_snapshots.py`` describes their columns and
``migrations/env.py`` leaves tables named ``board_snap_*`` out of autogenerate.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base

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
