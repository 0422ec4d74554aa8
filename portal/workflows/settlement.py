"""Settling a campaign day (rules §5; README): every record of the day judged again by the current rules and
reviews, the day's totals written, each team's day judged (portal/teams/days.py), the day's points,
badges and draw chances given (portal/rewards/earning.py), and the dashboard's figures of the day refreshed
(portal/dashboard/node_figures.py).

Idempotent by construction: the records are recomputed from what was reported (not from what was counted
before), and the totals are one upsert. Running it twice, twice at once, or again after it was killed
(its transaction then left nothing behind) gives the same result.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, func, select, update

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import evaluate_day
from portal.campaigns.settled_totals import hold_totals, settle_totals
from portal.dashboard.node_figures import refresh_figures
from portal.database import insert_for
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, CampaignDay, Enrollment
from portal.models.steps import DailyRecord, DayReview
from portal.rewards.earning import settle_day_rewards
from portal.teams.days import settle_team_days

BATCH = 1000


def _recount(campaign: Campaign, day: date) -> int:
    """Judge every record of ``day`` again; returns how many changed."""
    rules = campaign_rules(campaign)
    changed = 0
    last_id = 0
    while True:
        records = db.session.scalars(
            select(DailyRecord)
            .where(DailyRecord.campaign_id == campaign.id, DailyRecord.day == day, DailyRecord.id > last_id)
            .order_by(DailyRecord.id)
            .limit(BATCH)
        ).all()
        if not records:
            return changed
        for record in records:
            flag = None if record.review is DayReview.CLEARED else record.flag
            outcome = evaluate_day(
                rules,
                day=day,
                steps=record.reported_steps,
                reported_at=record.reported_at,
                zone=campaign.timezone,
                flag=flag,
            )
            values = {
                "counted_steps": outcome.counted,
                "qualified": outcome.qualified,
                "reason": outcome.reason.value,
            }
            if any(getattr(record, name) != value for name, value in values.items()):
                db.session.execute(
                    update(DailyRecord)
                    .where(DailyRecord.id == record.id)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                changed += 1
        last_id = records[-1].id
        db.session.expire_all()


def settle_day(campaign: Campaign, day: date, *, now: datetime | None = None) -> CampaignDay:
    """Recount the day and write its totals; safe to repeat."""
    now = now or utcnow()
    hold_totals(campaign.id, campaign.start_day)  # before any record: the lock order of settled_totals
    _recount(campaign, day)
    enrolled = db.session.scalar(
        select(func.count()).select_from(Enrollment).where(Enrollment.campaign_id == campaign.id)
    )
    reporting, qualified, steps = db.session.execute(
        select(
            func.count(DailyRecord.id),
            func.coalesce(func.sum(case((DailyRecord.qualified, 1), else_=0)), 0),
            func.coalesce(func.sum(DailyRecord.counted_steps), 0),
        ).where(DailyRecord.campaign_id == campaign.id, DailyRecord.day == day)
    ).one()
    values = {
        "campaign_id": campaign.id,
        "day": day,
        "enrolled": enrolled,
        "reporting": reporting,
        "qualified": int(qualified),
        "counted_steps": int(steps),
        "settled_at": now,
    }
    statement = insert_for(db.engine.dialect.name, CampaignDay).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["campaign_id", "day"],
        set_={
            name: statement.excluded[name]
            for name in ("enrolled", "reporting", "qualified", "counted_steps", "settled_at")
        },
    )
    db.session.execute(statement)
    settle_totals(campaign, now=now)
    settle_team_days(campaign, day, now=values["settled_at"])
    settle_day_rewards(campaign, day, now=values["settled_at"])
    refresh_figures(campaign, days=[day], now=values["settled_at"])
    return db.session.scalars(
        select(CampaignDay)
        .where(CampaignDay.campaign_id == campaign.id, CampaignDay.day == day)
        .execution_options(populate_existing=True)
    ).one()
