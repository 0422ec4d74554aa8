"""Daily step records and check-ins (rules §5).

One row per enrolment and local day. The last report of the day wins *by its report time*, so late or
out-of-order deliveries converge on the newest; the write is a single upsert whose WHERE keeps a newer
report (``ON CONFLICT … DO UPDATE … WHERE daily_records.reported_at <= excluded.reported_at``).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, str_enum, utcnow


class ReportSource(enum.StrEnum):
    FORM = "form"
    API = "api"
    PARTNER = "partner"
    IMPORT = "import"


class DayFlag(enum.StrEnum):
    IMPLAUSIBLE = "implausible"  # above the rules' implausible_steps
    REPEATED_DIGITS = "repeated_digits"  # 66666, 88888: what faking tools leave
    JUMP = "jump"  # far above the member's own history


class DayReview(enum.StrEnum):
    CLEARED = "cleared"  # an admin found the count genuine: it counts
    CONFIRMED = "confirmed"  # an admin confirmed the doubt: it stays uncounted


class DailyRecord(Base):
    __tablename__ = "daily_records"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "day"),
        CheckConstraint("reported_steps >= 0", name="steps_not_negative"),
        CheckConstraint(
            "counted_steps >= 0 AND counted_steps <= reported_steps", name="counted_within_reported"
        ),
        CheckConstraint("distance_m IS NULL OR distance_m >= 0", name="distance_not_negative"),
        Index("ix_daily_records_campaign_day", "campaign_id", "day"),
        Index("ix_daily_records_open_flags", "campaign_id", "flag", "review"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    day: Mapped[date]
    reported_steps: Mapped[int]
    distance_m: Mapped[int | None]
    # When the steps were read on the device (or received, if the client did not say): decides which wins.
    reported_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[ReportSource] = mapped_column(str_enum(ReportSource))
    # Derived at write time from the rules: the day's steps after the daily cap, and whether it qualifies.
    counted_steps: Mapped[int] = mapped_column(default=0)
    qualified: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(32))
    flag: Mapped[DayFlag | None] = mapped_column(str_enum(DayFlag))
    # A flagged day: the member may appeal once; an admin then clears or confirms. A newer report of the
    # same day starts afresh.
    appeal_note: Mapped[str | None] = mapped_column(String(300))
    appealed_at: Mapped[datetime | None]
    review: Mapped[DayReview | None] = mapped_column(str_enum(DayReview))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]


class Checkin(Base):
    __tablename__ = "checkins"
    # By day: a board refresh counts only the check-ins after the settled totals' cutoff.
    __table_args__ = (UniqueConstraint("enrollment_id", "day"), Index("ix_checkins_day", "day"))

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    day: Mapped[date]
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)


class Run(Base):
    """A run or walk from a GPX file: only its totals are kept, never the track itself."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint("distance_m >= 0 AND duration_s > 0", name="plausible_totals"),
        UniqueConstraint("enrollment_id", "started_at"),
        Index("ix_runs_enrollment_day", "enrollment_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    day: Mapped[date]
    started_at: Mapped[datetime]
    distance_m: Mapped[int]
    duration_s: Mapped[int]
    # Faster than the rules allow (25 km/h): kept for an admin, not counted.
    too_fast: Mapped[bool] = mapped_column(default=False)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
