"""The points ledger and badges (rules §9): append-only; totals are derived; a unique key makes every
award once."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, str_enum, utcnow


class PointReason(enum.StrEnum):
    CHECKIN = "checkin"  # the daily check-in, once per day (paid by the check-in and by settlement)
    STEPS = "steps"  # 1 per ``steps_per_point`` counted steps, at most the daily maximum (settlement)
    QUALIFIED_DAY = "qualified_day"  # a qualified day (settlement)
    REFLECTION = "reflection"  # a reflection at a landmark, once per landmark
    QUIZ = "quiz"  # a correct answer of the question bank, once per question
    TEAM_DAY = "team_day"  # each member of a team-qualified day, once per day
    CAPTAIN_TASK = "captain_task"  # the captain, the first time the team is full, once per team
    REDEEM = "redeem"  # points spent on a draw chance: the only negative entries, keyed by the chance


class PointEntry(Base):
    __tablename__ = "point_entries"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "reason", "award_key"),
        # Awards are positive; only a redemption takes points away.
        CheckConstraint("(reason = 'redeem') = (points < 0) AND points <> 0", name="points_sign"),
        Index("ix_point_entries_campaign_enrollment", "campaign_id", "enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    reason: Mapped[PointReason] = mapped_column(str_enum(PointReason))
    # What the award is for within its reason ("landmark:12", "day:2026-12-02", "chance:3"): the
    # idempotency key.
    award_key: Mapped[str] = mapped_column(String(40))
    points: Mapped[int]
    # The campaign day it is for, when it is for one (check-in, steps, qualified and team days).
    day: Mapped[date | None]
    # The member's team when it was paid (None outside a team): a later change of team leaves it alone.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)


class BadgeKind(enum.StrEnum):
    FULL_ATTENDANCE = "full_attendance"  # 全勤奖: checked in on every day of the campaign
    ROUTE_COMPLETE = "route_complete"  # passed every landmark of the route
    QUALIFIED_DAYS = "qualified_days"  # qualified on the rules' number of days (the certificate's)


class Badge(Base):
    """An electronic badge (电子奖章), earned once per member and kind."""

    __tablename__ = "badges"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "kind"),
        Index("ix_badges_campaign_kind", "campaign_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    kind: Mapped[BadgeKind] = mapped_column(str_enum(BadgeKind))
    earned_at: Mapped[datetime] = mapped_column(default=utcnow)
