"""The virtual route (rules §6): landmarks, passing them, reflections, the question bank and certificates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, utcnow
from portal.models.campaign import Enrollment


class Landmark(Base):
    """A stop on a campaign's route. It lights at a number of qualified days (``per_qualified_day``) or
    at a cumulative-steps target (``cumulative_steps``), whichever the campaign's route mode says; an
    optional multiple-choice question passes it."""

    __tablename__ = "landmarks"
    __table_args__ = (
        UniqueConstraint("campaign_id", "position"),
        CheckConstraint("position >= 1", name="position_positive"),
        CheckConstraint("(qualified_days IS NULL) <> (steps_target IS NULL)", name="one_lighting_target"),
        CheckConstraint("qualified_days IS NULL OR qualified_days >= 1", name="qualified_days_positive"),
        CheckConstraint("steps_target IS NULL OR steps_target >= 1", name="steps_target_positive"),
        CheckConstraint("question IS NULL OR answer IS NOT NULL", name="question_has_answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(60))
    introduction: Mapped[str] = mapped_column(Text, default="")
    # Colours of the illustration the portal draws when no image was uploaded (seeds/routes).
    palette: Mapped[str] = mapped_column(String(40), default="")
    # An uploaded image, re-encoded, stored under instance/media/landmarks.
    image_name: Mapped[str | None] = mapped_column(String(64))
    qualified_days: Mapped[int | None]
    steps_target: Mapped[int | None] = mapped_column(BigInteger)
    question: Mapped[str | None] = mapped_column(String(300))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[int | None]  # index into choices


class LandmarkVisit(Base):
    """A member at a lit landmark: wrong answers so far, and when they passed it (answered its question,
    or opened one that has none). One row per member and landmark, so a landmark is passed once."""

    __tablename__ = "landmark_visits"
    __table_args__ = (UniqueConstraint("enrollment_id", "landmark_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    landmark_id: Mapped[int] = mapped_column(ForeignKey("landmarks.id", ondelete="CASCADE"), index=True)
    wrong_answers: Mapped[int] = mapped_column(default=0)
    passed_at: Mapped[datetime | None]


class Reflection(Base):
    """What a member wrote at a landmark they passed (感想/游记). One per landmark; an admin may hide it."""

    __tablename__ = "reflections"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "landmark_id"),
        Index("ix_reflections_landmark_created", "landmark_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    landmark_id: Mapped[int] = mapped_column(ForeignKey("landmarks.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    enrollment: Mapped[Enrollment] = relationship()
    landmark: Mapped[Landmark] = relationship()


class Question(Base):
    """A question of a campaign's bank (百题问答), imported by admins; members answer a daily set."""

    __tablename__ = "questions"
    __table_args__ = (CheckConstraint("answer >= 0", name="answer_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    choices: Mapped[list[str]] = mapped_column(JSON)
    answer: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizAnswer(Base):
    """A member's one answer to a question of the bank, on the day it was in their set."""

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("enrollment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    day: Mapped[date]
    choice: Mapped[int]
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(Base):
    """An electronic certificate of honour (rules §9), with what it says as it was issued."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"), unique=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    holder_name: Mapped[str] = mapped_column(String(50))
    unit_name: Mapped[str] = mapped_column(String(100))
    campaign_title: Mapped[str] = mapped_column(String(100))
    qualified_days: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
