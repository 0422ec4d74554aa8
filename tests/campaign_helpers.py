"""Builders for campaign tests."""

from __future__ import annotations

from datetime import date, timedelta

from portal.extensions import db
from portal.models import Campaign, Enrollment, MemberCategory, Membership, Organisation, User
from portal.models.base import utcnow
from portal.services.campaigns import create_campaign, enrol
from portal.services.day_rules import local_today


def today_local() -> date:
    return local_today(utcnow(), "Asia/Shanghai")


def running_campaign(
    org: Organisation, preset: str = "teachers-7day", *, started_days_ago: int = 2
) -> Campaign:
    campaign = create_campaign(
        None, org, preset=preset, start_day=today_local() - timedelta(days=started_days_ago), publish=True
    )
    db.session.commit()
    return campaign


def member_of(user: User, org: Organisation) -> User:
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, category=MemberCategory.OTHER))
    db.session.commit()
    return user


def enrolled(user: User, campaign: Campaign, unit: Organisation) -> Enrollment:
    enrollment = enrol(user, campaign, unit)
    db.session.commit()
    return enrollment
