"""The points ledger (SPEC §9): append-only; totals are derived; a unique key makes every award once."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, str_enum, utcnow


class PointReason(enum.StrEnum):
    REFLECTION = "reflection"  # a reflection at a landmark, once per landmark
    QUIZ = "quiz"  # a correct answer of the question bank, once per question
    TEAM_DAY = "team_day"  # each member of a team-qualified day, once per day
    CAPTAIN_TASK = "captain_task"  # the captain, the first time the team is full, once per team


class PointEntry(Base):
    __tablename__ = "point_entries"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "reason", "award_key"),
        CheckConstraint("points > 0", name="points_positive"),
        Index("ix_point_entries_campaign_enrollment", "campaign_id", "enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    reason: Mapped[PointReason] = mapped_column(str_enum(PointReason))
    # What the award is for within its reason ("landmark:12", "question:7"): the idempotency key.
    award_key: Mapped[str] = mapped_column(String(40))
    points: Mapped[int]
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)
