"""Badges (rules §9): full attendance, route complete, qualified on N days. Each is earned once (the table
is unique per member and kind) and brings one grand-prize draw where the campaign has a badge pool.

Every rule is one set-based ``INSERT … SELECT … ON CONFLICT DO NOTHING`` over the campaign, so
settlement awards a million members' badges in a few statements and running it again awards nothing
new; ``member`` narrows it to one member for the moment an action completes a badge.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, literal, select, true

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import local_today
from portal.campaigns.rules import CheckinMode, RouteMode
from portal.database import insert_for
from portal.extensions import db
from portal.models.campaign import Campaign, Enrollment
from portal.models.points import Badge, BadgeKind
from portal.models.route import Landmark, LandmarkVisit
from portal.models.steps import Checkin, DailyRecord


def _award(kind: BadgeKind, campaign: Campaign, enrollment_ids, now: datetime) -> None:
    source = enrollment_ids.subquery("earned")
    statement = insert_for(db.engine.dialect.name, Badge).from_select(
        ["enrollment_id", "campaign_id", "kind", "earned_at"],
        select(
            source.c.enrollment_id,
            literal(campaign.id),
            literal(kind.value),
            literal(now, type_=Badge.__table__.c.earned_at.type),
        ).where(true()),  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    )
    db.session.execute(statement.on_conflict_do_nothing(index_elements=["enrollment_id", "kind"]))


def award_badges(campaign: Campaign, *, now: datetime, member: Enrollment | None = None) -> None:
    """Award every badge the campaign's members (or ``member``) have earned so far."""
    rules = campaign_rules(campaign)
    needed_days = rules.certificate_qualified_days
    if needed_days:
        query = (
            select(DailyRecord.enrollment_id)
            .where(DailyRecord.campaign_id == campaign.id, DailyRecord.qualified)
            .group_by(DailyRecord.enrollment_id)
            .having(func.count() >= needed_days)
        )
        if member is not None:
            query = query.where(DailyRecord.enrollment_id == member.id)
        _award(BadgeKind.QUALIFIED_DAYS, campaign, query, now)
    if rules.route.mode is not RouteMode.NONE:
        landmarks = db.session.scalar(
            select(func.count()).select_from(Landmark).where(Landmark.campaign_id == campaign.id)
        )
        if landmarks:
            query = (
                select(LandmarkVisit.enrollment_id)
                .join(Landmark, Landmark.id == LandmarkVisit.landmark_id)
                .where(Landmark.campaign_id == campaign.id, LandmarkVisit.passed_at.is_not(None))
                .group_by(LandmarkVisit.enrollment_id)
                .having(func.count() >= landmarks)
            )
            if member is not None:
                query = query.where(LandmarkVisit.enrollment_id == member.id)
            _award(BadgeKind.ROUTE_COMPLETE, campaign, query, now)
    # Every day checked in is possible from the last day on only: until then the pass is skipped.
    if rules.checkin is not CheckinMode.NONE and local_today(now, campaign.timezone) >= campaign.end_day:
        days = (campaign.end_day - campaign.start_day).days + 1
        query = (
            select(Checkin.enrollment_id)
            .join(Enrollment, Enrollment.id == Checkin.enrollment_id)
            .where(
                Enrollment.campaign_id == campaign.id,
                Checkin.day >= campaign.start_day,
                Checkin.day <= campaign.end_day,
            )
            .group_by(Checkin.enrollment_id)
            .having(func.count() >= days)
        )
        if member is not None:
            query = query.where(Checkin.enrollment_id == member.id)
        _award(BadgeKind.FULL_ATTENDANCE, campaign, query, now)


def badges_of(enrollment: Enrollment) -> list[Badge]:
    return list(
        db.session.scalars(
            select(Badge).where(Badge.enrollment_id == enrollment.id).order_by(Badge.earned_at, Badge.id)
        )
    )


def badges_of_user(user_id: int) -> list[tuple[Badge, Campaign]]:
    """Every badge of a person, with its campaign, for the personal center."""
    return list(
        db.session.execute(
            select(Badge, Campaign)
            .join(Enrollment, Enrollment.id == Badge.enrollment_id)
            .join(Campaign, Campaign.id == Badge.campaign_id)
            .where(Enrollment.user_id == user_id)
            .order_by(Badge.earned_at.desc(), Badge.id.desc())
        ).all()
    )
