"""Teams (团队, rules §7): at most the rules' size, one team per person per campaign, captains' goals and
announcements, requests to join, and each settled team day."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, str_enum, utcnow
from portal.models.campaign import Enrollment
from portal.models.org import Organisation


class Team(Base):
    """A team of one campaign. ``member_count`` is kept by a conditional UPDATE (``… WHERE member_count <
    size``), so concurrent joins can never overfill it."""

    __tablename__ = "teams"
    __table_args__ = (
        UniqueConstraint("campaign_id", "name"),
        CheckConstraint("member_count >= 0", name="member_count_not_negative"),
        CheckConstraint("member_goal > 0 AND team_goal >= member_goal", name="goals_consistent"),
        Index("ix_teams_campaign_unit", "campaign_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    # The unit its captain walks for when it was made: where members of that unit find it.
    unit_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(30))
    slogan: Mapped[str] = mapped_column(String(60), default="")
    captain_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="RESTRICT"))
    invite_code: Mapped[str] = mapped_column(String(12), unique=True)
    member_count: Mapped[int] = mapped_column(default=0)
    member_goal: Mapped[int]
    team_goal: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first time it was full (the captain's task is paid then, once).
    full_at: Mapped[datetime | None]
    # Team-qualified days as of the last settlement, recounted from team_days by each one (the team board
    # reads it instead of regrouping every team day at each refresh).
    qualified_days: Mapped[int] = mapped_column(default=0, server_default=text("0"))

    captain: Mapped[Enrollment] = relationship(foreign_keys=[captain_id])
    unit: Mapped[Organisation] = relationship()


class TeamMember(Base):
    """One enrolment in one team: the enrolment is unique here, so a person has one team per campaign."""

    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), unique=True)
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()


class TeamAnnouncement(Base):
    __tablename__ = "team_announcements"
    __table_args__ = (Index("ix_team_announcements_team_created", "team_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("enrollments.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JoinRequestStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class TeamJoinRequest(Base):
    """A member asking a team they found to take them; the captain accepts or declines."""

    __tablename__ = "team_join_requests"
    __table_args__ = (
        Index(
            "uq_team_join_requests_pending",
            "team_id",
            "enrollment_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    status: Mapped[JoinRequestStatus] = mapped_column(
        str_enum(JoinRequestStatus), default=JoinRequestStatus.PENDING
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]

    enrollment: Mapped[Enrollment] = relationship()


class TeamDay(Base):
    """A settled day of a team: whether every member reached the member goal and the total the team goal."""

    __tablename__ = "team_days"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    day: Mapped[date]
    members: Mapped[int]
    counted_steps: Mapped[int] = mapped_column(BigInteger)
    qualified: Mapped[bool]
    settled_at: Mapped[datetime]
