"""Works collections and public voting (作品征集与投票, rules §10).

A union opens a collection (``Contest``) for its subtree with categories of works; members submit works,
admins review them, members vote for approved works, and admins publish the winners.

Invariants live in the database: one vote per member per work per local day (a unique key), a member's
votes of a day within the collection's limit (a counter row taken by a conditional UPDATE), vote totals
never negative and the late-account votes a part of them, one award per work, ordered windows.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, str_enum, utcnow
from portal.models.identity import User
from portal.models.org import Organisation


class WorkKind(enum.StrEnum):
    """What a category asks of a work."""

    PHOTO = "photo"  # one to nine photos, a caption optional
    VIDEO = "video"  # a link to the video on an allowed host (recitations are videos too, seed 004)
    TEXT = "text"  # a written work (commentary, case, nomination); photos optional


class WorkStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for review; again after every edit
    APPROVED = "approved"  # in the public gallery, open to votes
    REJECTED = "rejected"  # with the reviewer's reason, shown to the author


class Contest(Base):
    """A works collection of one union, open to the members of its subtree.

    Windows are local days in ``timezone``: submissions (and edits) from ``submit_from`` to
    ``submit_until``, votes from ``vote_from`` to ``vote_until``, results announced on ``results_on``.
    """

    __tablename__ = "contests"
    __table_args__ = (
        CheckConstraint("submit_from <= submit_until", name="submission_window_ordered"),
        CheckConstraint("vote_from <= vote_until", name="voting_window_ordered"),
        CheckConstraint("submit_from <= vote_from", name="voting_after_submissions_open"),
        CheckConstraint("vote_until <= results_on", name="results_after_voting"),
        CheckConstraint("votes_per_day BETWEEN 1 AND 100", name="votes_per_day_in_range"),
        Index("ix_contests_organisation_id", "organisation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(100))
    rules: Mapped[str] = mapped_column(Text, default="")
    submit_from: Mapped[date]
    submit_until: Mapped[date]
    vote_from: Mapped[date]
    vote_until: Mapped[date]
    results_on: Mapped[date]
    votes_per_day: Mapped[int] = mapped_column(default=5)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Members see the collection once it is opened; before, only its admins do.
    opened_at: Mapped[datetime | None]
    # The winners are final once published; the public sees them from ``results_on``.
    results_published_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    categories: Mapped[list[ContestCategory]] = relationship(
        back_populates="contest", order_by="ContestCategory.position, ContestCategory.id"
    )


class ContestCategory(Base):
    __tablename__ = "contest_categories"
    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[WorkKind] = mapped_column(str_enum(WorkKind))
    position: Mapped[int] = mapped_column(default=0)

    contest: Mapped[Contest] = relationship(back_populates="categories")


class ContestWork(Base):
    """A member's work. ``revision`` grows with every edit, so a review decides the version it saw."""

    __tablename__ = "contest_works"
    __table_args__ = (
        CheckConstraint("votes >= 0", name="votes_not_negative"),
        CheckConstraint("late_votes >= 0 AND late_votes <= votes", name="late_votes_within_votes"),
        CheckConstraint("status != 'rejected' OR reject_reason IS NOT NULL", name="rejection_has_reason"),
        Index("ix_contest_works_gallery_votes", "contest_id", "status", "votes"),
        Index("ix_contest_works_gallery_newest", "contest_id", "status", "submitted_at"),
        Index("ix_contest_works_author", "author_id", "contest_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("contest_categories.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The author's grassroots union when they submitted, shown beside the work.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[WorkStatus] = mapped_column(str_enum(WorkStatus), default=WorkStatus.PENDING)
    reject_reason: Mapped[str | None] = mapped_column(String(200))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    votes: Mapped[int] = mapped_column(default=0)
    # Of ``votes``: those from accounts registered after voting opened (a common way to stuff votes).
    late_votes: Mapped[int] = mapped_column(default=0)

    contest: Mapped[Contest] = relationship()
    category: Mapped[ContestCategory] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    organisation: Mapped[Organisation | None] = relationship()
    images: Mapped[list[ContestWorkImage]] = relationship(
        order_by="ContestWorkImage.position", cascade="all, delete-orphan"
    )


class ContestWorkImage(Base):
    """A photo of a work, stored re-encoded under media/works (``name``) with a small copy for the gallery
    (``thumb_name``)."""

    __tablename__ = "contest_work_images"
    __table_args__ = (UniqueConstraint("work_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("contest_works.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(80))
    thumb_name: Mapped[str] = mapped_column(String(80))
    width: Mapped[int]
    height: Mapped[int]


class ContestVote(Base):
    """One vote: a member for a work on a local day. ``late_account`` is true when the voter's account
    was registered after the voting opened."""

    __tablename__ = "contest_votes"
    __table_args__ = (
        UniqueConstraint("work_id", "user_id", "day"),
        Index("ix_contest_votes_voter_day", "contest_id", "user_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(ForeignKey("contest_works.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date]
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    late_account: Mapped[bool] = mapped_column(default=False)


class ContestVoterDay(Base):
    """How many votes a member cast in a collection on a local day: the row a vote takes with
    ``UPDATE … SET votes = votes + 1 WHERE votes < limit``, so concurrent votes never pass the limit."""

    __tablename__ = "contest_voter_days"
    __table_args__ = (CheckConstraint("votes >= 0", name="votes_not_negative"),)

    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    votes: Mapped[int] = mapped_column(default=0)


class ContestAward(Base):
    """A winner: an approved work of a category with its award (一等奖 …); ``position`` orders the
    results page within the category."""

    __tablename__ = "contest_awards"
    __table_args__ = (UniqueConstraint("work_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contests.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("contest_categories.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(ForeignKey("contest_works.id", ondelete="CASCADE"))
    award: Mapped[str] = mapped_column(String(30))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    work: Mapped[ContestWork] = relationship()
