"""Union membership: applications to join or transfer, memberships and their history (rules §3).

The database keeps the rules that must never break, whatever the code above it does:
- an application is pending, approved, rejected or withdrawn, and nothing else;
- a rejection carries its reason; a decision carries its time and decider;
- at most one pending application per person (a partial unique index);
- at most one active membership per person (a partial unique index on memberships not ended).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, str_enum, utcnow
from portal.models.identity import User
from portal.models.org import Organisation


class MemberCategory(enum.StrEnum):
    PUBLIC_INSTITUTION = "public_institution"  # 机关事业单位职工
    ENTERPRISE = "enterprise"  # 企业职工
    NEW_EMPLOYMENT_FORM = "new_employment_form"  # 新就业形态劳动者
    OTHER = "other"  # 其他职工


class ApplicationKind(enum.StrEnum):
    JOIN = "join"
    TRANSFER = "transfer"


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Application(Base):
    """A member's request to join a grassroots union, or to transfer to another one."""

    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(
            "status != 'rejected' OR (reject_reason IS NOT NULL AND length(reject_reason) > 0)",
            name="rejection_has_reason",
        ),
        CheckConstraint(
            "(status IN ('approved', 'rejected')) = (decided_at IS NOT NULL)", name="decided_when_decided"
        ),
        CheckConstraint("kind != 'transfer' OR from_membership_id IS NOT NULL", name="transfer_names_old"),
        Index(
            "uq_applications_one_pending_per_user",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_applications_target_status_submitted", "target_org_id", "status", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ApplicationKind] = mapped_column(str_enum(ApplicationKind))
    status: Mapped[ApplicationStatus] = mapped_column(
        str_enum(ApplicationStatus), default=ApplicationStatus.PENDING
    )
    category: Mapped[MemberCategory] = mapped_column(str_enum(MemberCategory))
    target_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    from_membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id", ondelete="SET NULL"))
    # The application letter exactly as the member read and agreed to it.
    letter: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reject_reason: Mapped[str | None] = mapped_column(String(500))
    withdrawn_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    target_org: Mapped[Organisation] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    from_membership: Mapped[Membership | None] = relationship(foreign_keys=[from_membership_id])


class Membership(Base):
    """A period of membership in one union. Ended memberships stay as history."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index(
            "uq_memberships_one_active_per_user",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_memberships_org_active", "organisation_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    category: Mapped[MemberCategory] = mapped_column(str_enum(MemberCategory))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # How it began: the approved application, or None for an admin's import.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("applications.id", ondelete="SET NULL", use_alter=True)
    )

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()


class Notification(Base):
    """An in-app message to one person; unread until they open their notifications."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # What happened (e.g. "application.approved"); the page renders the text in the reader's language.
    kind: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    application: Mapped[Application | None] = relationship()
