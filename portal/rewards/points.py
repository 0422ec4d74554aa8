"""The points ledger (rules §9): every award is a row with a key, so paying twice is impossible.

Actions pay their own rules at once (a reflection, a quiz answer, the captain's task, the check-in on the
page); settlement pays the rules of a day in a few set-based statements (``settle_day_points``): the
check-in (reports through the API check in without a page), the step points and the qualified day.
Step and qualified-day points wait until the day has closed, when its figures can no longer change by a
report. Each entry keeps the member's team at that moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, select

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.campaigns.rules import CheckinMode
from portal.database import insert_for
from portal.extensions import db
from portal.models.campaign import Campaign, Enrollment
from portal.models.points import PointEntry, PointReason
from portal.models.steps import Checkin, DailyRecord
from portal.models.team import TeamMember

LEDGER_COLUMNS = [
    "enrollment_id",
    "campaign_id",
    "reason",
    "award_key",
    "points",
    "day",
    "team_id",
    "awarded_at",
]


def day_key(day: date) -> str:
    return f"day:{day.isoformat()}"


def team_now(enrollment_id) -> object:
    """The member's team as a scalar subquery (NULL outside a team), for the entry's ``team_id``."""
    return select(TeamMember.team_id).where(TeamMember.enrollment_id == enrollment_id).scalar_subquery()


def award_points(
    enrollment: Enrollment, reason: PointReason, key: str, points: int, *, day: date | None = None
) -> bool:
    """Pay ``points`` for ``reason``/``key`` once; True when this call paid them. Safe under concurrency:
    the ledger's unique key decides, with ``INSERT … ON CONFLICT DO NOTHING``."""
    if points <= 0:
        return False
    statement = (
        insert_for(db.engine.dialect.name, PointEntry)
        .values(
            enrollment_id=enrollment.id,
            campaign_id=enrollment.campaign_id,
            reason=reason,
            award_key=key,
            points=points,
            day=day,
            team_id=team_now(enrollment.id),
        )
        .on_conflict_do_nothing(index_elements=["enrollment_id", "reason", "award_key"])
    )
    return db.session.execute(statement).rowcount == 1


def pay_checkin(enrollment: Enrollment, day: date) -> bool:
    """The check-in's points of ``day`` (the same key as settlement's, so it is paid once either way)."""
    rules = campaign_rules(enrollment.campaign)
    if rules.checkin is not CheckinMode.POINTS:
        return False
    return award_points(enrollment, PointReason.CHECKIN, day_key(day), rules.points.checkin, day=day)


def points_of(enrollment: Enrollment) -> int:
    """The balance: everything earned less everything redeemed."""
    return db.session.scalar(
        select(func.coalesce(func.sum(PointEntry.points), 0)).where(PointEntry.enrollment_id == enrollment.id)
    )


def ledger_of(enrollment: Enrollment, *, limit: int = 200) -> list[PointEntry]:
    """The member's latest entries, newest first."""
    return list(
        db.session.scalars(
            select(PointEntry)
            .where(PointEntry.enrollment_id == enrollment.id)
            .order_by(PointEntry.awarded_at.desc(), PointEntry.id.desc())
            .limit(limit)
        )
    )


def _pay_from(rows, reason: PointReason, campaign: Campaign, day: date, now: datetime) -> None:
    """Pay every row of ``rows`` (a select of ``enrollment_id`` and ``points``) once, in one statement."""
    source = rows.subquery("due")
    statement = insert_for(db.engine.dialect.name, PointEntry).from_select(
        LEDGER_COLUMNS,
        select(
            source.c.enrollment_id,
            literal(campaign.id),
            literal(reason.value),
            literal(day_key(day)),
            source.c.points,
            literal(day, type_=PointEntry.__table__.c.day.type),
            TeamMember.team_id,
            literal(now, type_=PointEntry.__table__.c.awarded_at.type),
        )
        .outerjoin(TeamMember, TeamMember.enrollment_id == source.c.enrollment_id)
        .where(source.c.points > 0),
    )
    db.session.execute(
        statement.on_conflict_do_nothing(index_elements=["enrollment_id", "reason", "award_key"])
    )


@dataclass(frozen=True)
class DayPoints:
    checkin: bool
    steps_and_qualified: bool  # False while the day is still open


def settle_day_points(campaign: Campaign, day: date, *, now: datetime) -> DayPoints:
    """Pay the points of ``day`` that settlement pays, each at most once (the key is the day)."""
    rules = campaign_rules(campaign)
    points = rules.points
    paid_checkin = rules.checkin is CheckinMode.POINTS and points.checkin > 0
    if paid_checkin:
        _pay_from(
            select(Checkin.enrollment_id, literal(points.checkin).label("points"))
            .join(Enrollment, Enrollment.id == Checkin.enrollment_id)
            .where(Enrollment.campaign_id == campaign.id, Checkin.day == day),
            PointReason.CHECKIN,
            campaign,
            day,
            now,
        )
    closed = day_closes_at(day, rules, campaign.timezone) <= now
    if closed:
        records = and_(DailyRecord.campaign_id == campaign.id, DailyRecord.day == day)
        if points.step_points_daily_max > 0:
            earned = DailyRecord.counted_steps // points.steps_per_point
            capped = case((earned > points.step_points_daily_max, points.step_points_daily_max), else_=earned)
            _pay_from(
                select(DailyRecord.enrollment_id, capped.label("points")).where(records),
                PointReason.STEPS,
                campaign,
                day,
                now,
            )
        if points.qualified_day > 0:
            _pay_from(
                select(DailyRecord.enrollment_id, literal(points.qualified_day).label("points")).where(
                    records, DailyRecord.qualified
                ),
                PointReason.QUALIFIED_DAY,
                campaign,
                day,
                now,
            )
    return DayPoints(checkin=paid_checkin, steps_and_qualified=closed)
