"""Announcements (通知公告, rules §11): a union's notice to every member of its subtree, shown on
their home pages, with who has read it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.identity import User
from portal.models.org import Organisation


class Announcement(Base):
    __tablename__ = "announcements"
    __table_args__ = (Index("ix_announcements_org_published", "organisation_id", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Withdrawn announcements leave members' pages; their reads are kept for the record.
    withdrawn_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()


class AnnouncementRead(Base):
    """A member opened the announcement (once per member)."""

    __tablename__ = "announcement_reads"
    __table_args__ = (UniqueConstraint("announcement_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcements.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
