"""What an action or a settled day earns (rules §9), in one place: points, badges and draw chances.

- ``check_in_and_reward``: the check-in on the page pays its point and gives the daily check-in draw at
  once (check-ins through the API are paid by settlement, and their draw appears on the rewards page);
- ``settle_day_rewards``: settlement's share, every part idempotent;
- ``catch_up_member``: the rewards page brings one member's badges and today's chances up to date, so a
  badge completed by passing the last landmark, or a check-in sent from a phone's shortcut, shows at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from portal.campaigns.day_rules import local_today
from portal.campaigns.steps import check_in
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.points import Badge, PointEntry
from portal.models.steps import Checkin
from portal.rewards.badges import award_badges, badges_of_user
from portal.rewards.chances import grant_badge_chances, grant_checkin_chances, grant_health_chances
from portal.rewards.points import pay_checkin, settle_day_points


def check_in_and_reward(enrollment: Enrollment, *, now: datetime | None = None) -> Checkin:
    now = now or utcnow()
    checkin = check_in(enrollment, now=now)
    pay_checkin(enrollment, checkin.day)
    grant_checkin_chances(enrollment.campaign, checkin.day, now=now, member=enrollment)
    award_badges(enrollment.campaign, now=now, member=enrollment)  # the last check-in completes 全勤
    grant_badge_chances(enrollment.campaign, now=now, member=enrollment)
    return checkin


def settle_day_rewards(campaign: Campaign, day: date, *, now: datetime) -> None:
    settle_day_points(campaign, day, now=now)
    award_badges(campaign, now=now)
    grant_badge_chances(campaign, now=now)
    grant_health_chances(campaign, day, now=now)
    grant_checkin_chances(campaign, day, now=now)


def catch_up_member(enrollment: Enrollment, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    campaign = enrollment.campaign
    today = local_today(now, campaign.timezone)
    award_badges(campaign, now=now, member=enrollment)
    grant_badge_chances(campaign, now=now, member=enrollment)
    grant_checkin_chances(campaign, today, now=now, member=enrollment)
    grant_health_chances(campaign, today, now=now, member=enrollment)


@dataclass(frozen=True)
class CampaignRewards:
    campaign: Campaign
    balance: int
    badges: list[Badge]


def rewards_of_user(user_id: int) -> list[CampaignRewards]:
    """For the personal center: each campaign the person is enrolled in, with their points and badges."""
    balances = db.session.execute(
        select(Campaign, func.coalesce(func.sum(PointEntry.points), 0))
        .join(Enrollment, Enrollment.campaign_id == Campaign.id)
        .outerjoin(PointEntry, PointEntry.enrollment_id == Enrollment.id)
        .where(Enrollment.user_id == user_id)
        .group_by(Campaign.id)
        .order_by(Campaign.start_day.desc(), Campaign.id.desc())
    ).all()
    by_campaign: dict[int, list[Badge]] = {}
    for badge, campaign in badges_of_user(user_id):
        by_campaign.setdefault(campaign.id, []).append(badge)
    return [
        CampaignRewards(campaign, int(balance), by_campaign.get(campaign.id, []))
        for campaign, balance in balances
    ]
