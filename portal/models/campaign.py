"""Campaigns (活动) and enrolments (rules §4)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.identity import User
from portal.models.org import Organisation

# Where the unions are: every campaign counts its days in this zone unless it says otherwise.
DEFAULT_TIMEZONE = "Asia/Shanghai"


class Campaign(Base):
    """A walking campaign of one union node, open to its subtree. Its rules are data (``rules``)."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("end_day >= start_day", name="ends_after_start"),
        Index("ix_campaigns_organisation_start", "organisation_id", "start_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    preset: Mapped[str | None] = mapped_column(String(40))
    # The RuleSet (portal.campaigns.rules) as JSON; always written through parse_rules.
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    start_day: Mapped[date]
    end_day: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(40), default=DEFAULT_TIMEZONE)
    open_to_non_members: Mapped[bool] = mapped_column(default=False)
    enrolment_closed: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Enrollment(Base):
    """One person in one campaign, competing for one unit of their union's subtree."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("campaign_id", "user_id"),
        Index("ix_enrollments_campaign_unit", "campaign_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Runs (GPX) hold location data: the member agrees separately before any is processed.
    location_consent_at: Mapped[datetime | None]

    campaign: Mapped[Campaign] = relationship()
    user: Mapped[User] = relationship()
    unit: Mapped[Organisation] = relationship()


class CampaignDay(Base):
    """A settled day of a campaign: its totals as of the last settlement (one row per campaign and day)."""

    __tablename__ = "campaign_days"
    __table_args__ = (UniqueConstraint("campaign_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    day: Mapped[date]
    enrolled: Mapped[int]
    reporting: Mapped[int]
    qualified: Mapped[int]
    counted_steps: Mapped[int] = mapped_column(BigInteger)
    settled_at: Mapped[datetime]
