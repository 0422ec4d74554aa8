"""The admin dashboard's figures (rules §11): each node's totals over its whole subtree for one
campaign, kept by a refresh (``portal/dashboard/node_figures.py``) so that a dashboard over a million
participants and 100,000 nodes reads a few dozen rows instead of counting.

A node's row sums everything below it: the campaign's participants walking for a unit in its subtree, and
so on. Nodes with nothing below them have no row (read as zeros).

``node_figures`` and ``node_day_figures`` are derived rows, replaced whole by every refresh, so they carry
no foreign keys: checking two keys per row made writing a day of 100,000 nodes take 2.5 s instead of
0.6 s (docs/benchmarks.md). A row of a node since deleted is gone at the next refresh.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class FiguresRefresh(Base):
    """One row per campaign: when its figures were last computed. A refresh locks this row first, so two
    refreshes of one campaign run one after the other."""

    __tablename__ = "figures_refreshes"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    computed_at: Mapped[datetime | None]


class NodeFigures(Base):
    """A node's standing now: participants and members over its subtree."""

    __tablename__ = "node_figures"

    campaign_id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(primary_key=True)
    participants: Mapped[int]
    # Active memberships on the portal in the subtree (the union's books, ``member_total``, are on the node).
    members: Mapped[int]


class NodeDayFigures(Base):
    """A node's campaign day: participants enrolled by its end, participants who reported, who qualified,
    and the steps counted."""

    __tablename__ = "node_day_figures"

    campaign_id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    enrolled: Mapped[int]
    active: Mapped[int]
    qualified: Mapped[int]
    steps: Mapped[int] = mapped_column(BigInteger)
