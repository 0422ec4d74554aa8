"""Rankings (SPEC §8). For now the individual board from one query; the rankings issue (7) makes boards
fast at a million participants, with a refresh interval and frozen final boards.

Individual order (seed 002): qualified days ↓, check-in days ↓, counted steps ↓ (total cap applied),
time of last sync ↑. Ties on all four share a rank (1, 2, 2, 4), which SQL's RANK() gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, case, func, select

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
from portal.models.steps import Checkin, DailyRecord
from portal.services.campaigns import campaign_rules


def mask_name(name: str | None) -> str:
    """张*明 for public boards: the first and last character stay."""
    if not name:
        return "*"
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True)
class IndividualRow:
    rank: int
    name: str
    unit: str
    phone: str
    qualified_days: int
    checkin_days: int
    steps: int
    last_synced_at: datetime | None


def individual_ranking(
    campaign: Campaign, *, limit: int, offset: int
) -> tuple[datetime, list[IndividualRow]]:
    rules = campaign_rules(campaign)
    days = (
        select(
            DailyRecord.enrollment_id.label("enrollment_id"),
            func.sum(case((DailyRecord.qualified, 1), else_=0)).label("qualified_days"),
            func.sum(DailyRecord.counted_steps).label("steps"),
            func.max(DailyRecord.received_at).label("last_synced_at"),
        )
        .where(DailyRecord.campaign_id == campaign.id)
        .group_by(DailyRecord.enrollment_id)
        .subquery()
    )
    checkins = (
        select(Checkin.enrollment_id.label("enrollment_id"), func.count().label("checkin_days"))
        .join(Enrollment, Enrollment.id == Checkin.enrollment_id)
        .where(Enrollment.campaign_id == campaign.id)
        .group_by(Checkin.enrollment_id)
        .subquery()
    )
    qualified = func.coalesce(days.c.qualified_days, 0).cast(Integer)
    checked = func.coalesce(checkins.c.checkin_days, 0).cast(Integer)
    raw_steps = func.coalesce(days.c.steps, 0).cast(Integer)
    steps = (
        case((raw_steps > rules.total_cap, rules.total_cap), else_=raw_steps)
        if rules.total_cap
        else raw_steps
    )
    # Never synced sorts after everyone who did.
    never = case((days.c.last_synced_at.is_(None), 1), else_=0)
    order = (qualified.desc(), checked.desc(), steps.desc(), never, days.c.last_synced_at.asc())
    query = (
        select(
            func.rank().over(order_by=order).label("rank"),
            User.real_name,
            User.phone,
            Organisation.name,
            qualified,
            checked,
            steps,
            days.c.last_synced_at,
        )
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .join(Organisation, Organisation.id == Enrollment.unit_id)
        .outerjoin(days, days.c.enrollment_id == Enrollment.id)
        .outerjoin(checkins, checkins.c.enrollment_id == Enrollment.id)
        .where(Enrollment.campaign_id == campaign.id)
        .order_by(*order, Enrollment.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [
        IndividualRow(
            rank=rank,
            name=mask_name(name),
            unit=unit,
            phone=phone,
            qualified_days=qualified_days,
            checkin_days=checkin_days,
            steps=total,
            last_synced_at=last,
        )
        for rank, name, phone, unit, qualified_days, checkin_days, total, last in db.session.execute(query)
    ]
    return utcnow(), rows
