"""A generated union tree with a campaign, members, enrolments spread over days and reported steps, for
the dashboard's tests; and the dashboard's figures computed from the raw rows, as a reference."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.campaigns.steps import report_steps
from portal.dashboard.node_figures import days_to_date, refresh_figures
from portal.extensions import db
from portal.models import Campaign, DailyRecord, Enrollment, Membership, Organisation, OrgKind, ReportSource
from portal.models.base import utcnow
from tests.campaign_helpers import NAMES, enrolled, member_of, running_campaign, today_local

ZONE = ZoneInfo("Asia/Shanghai")
STARTED_DAYS_AGO = 3


@dataclass
class GeneratedCampaign:
    campaign: Campaign
    root: Organisation
    nodes: list[Organisation]


def generate_campaign_tree(make_org, make_user, *, seed: int = 7, people: int = 36) -> GeneratedCampaign:
    """A province of 3 cities, 2–3 districts each, 2–3 grassroots unions each, with quotas and books on
    some nodes; ``people`` members in random grassroots unions, most of them enrolled (on random days
    from the start), each reporting random steps on random days."""
    rng = random.Random(seed)
    root = make_org("生成省总工会", kind=OrgKind.PROVINCE_FEDERATION, quota=30)
    nodes = [root]
    leaves = []
    for c in range(3):
        city = make_org(f"生成市{c}", parent=root, kind=OrgKind.CITY_UNION, quota=rng.choice([None, 5, 12]))
        nodes.append(city)
        for d in range(rng.randint(2, 3)):
            district = make_org(
                f"生成区{c}-{d}", parent=city, kind=OrgKind.DISTRICT_UNION, quota=rng.choice([None, 2, 4])
            )
            nodes.append(district)
            for g in range(rng.randint(2, 3)):
                leaf = make_org(f"生成基层{c}-{d}-{g}", parent=district, quota=rng.choice([None, 1, 2]))
                nodes.append(leaf)
                leaves.append(leaf)
    for node in nodes:
        if rng.random() < 0.3:
            node.member_total = rng.randint(5, 40)
    campaign = running_campaign(root, started_days_ago=STARTED_DAYS_AGO)
    today = today_local()
    for index in range(people):
        unit = rng.choice(leaves)
        user = member_of(make_user(real_name=NAMES[index % len(NAMES)]), unit)
        if rng.random() < 0.15:
            continue  # a member who did not enrol
        enrollment = enrolled(user, campaign, unit)
        first = rng.randint(0, STARTED_DAYS_AGO)  # the campaign day they enrolled on
        enrollment.enrolled_at = datetime.combine(
            campaign.start_day + timedelta(days=first), time(9), tzinfo=ZONE
        )
        for offset in range(first, STARTED_DAYS_AGO + 1):
            day = campaign.start_day + timedelta(days=offset)
            if day <= today and rng.random() < 0.7:
                report_steps(
                    enrollment,
                    day=day,
                    steps=rng.randint(0, 16000),
                    source=ReportSource.IMPORT,
                    allow_closed=True,
                )
    ended = db.session.scalars(select(Membership).limit(1)).first()  # no longer counts as a member
    ended.ended_at = datetime.now(ZONE)
    db.session.commit()
    return GeneratedCampaign(campaign, root, nodes)


def campaign_with_walkers(
    tree, make_user, *, org: str, walkers: list[str], quotas: dict[str, int]
) -> Campaign:
    """A running campaign of ``tree[org]`` with one enrolled member in each of ``walkers`` (tree keys), the
    ``quotas`` set, and the dashboard's figures refreshed."""
    for key, quota in quotas.items():
        tree[key].quota = quota
    campaign = running_campaign(tree[org])
    for key in walkers:
        enrolled(member_of(make_user(), tree[key]), campaign, tree[key])
    refresh_figures(campaign, days=days_to_date(campaign, utcnow()))
    db.session.commit()
    return campaign


@dataclass(frozen=True)
class Reference:
    members: int
    participants: int
    active: int
    qualified_days: int
    enrolled_days: int

    @property
    def qualification_rate(self) -> Fraction | None:
        return Fraction(self.qualified_days, self.enrolled_days) if self.enrolled_days else None


def reference_figures(campaign: Campaign, node: Organisation, *, today: date) -> Reference:
    """The dashboard's figures of ``node``, counted one row at a time from the raw tables."""
    paths = {org.id: org.path for org in db.session.scalars(select(Organisation))}
    inside = lambda org_id: paths[org_id].startswith(node.path)  # noqa: E731
    enrolments = [
        e
        for e in db.session.scalars(select(Enrollment).where(Enrollment.campaign_id == campaign.id))
        if inside(e.unit_id)
    ]
    units = {e.id: e.unit_id for e in enrolments}
    records = [
        r
        for r in db.session.scalars(select(DailyRecord).where(DailyRecord.campaign_id == campaign.id))
        if r.enrollment_id in units
    ]
    members = node.member_total
    if members is None:
        members = sum(
            1
            for m in db.session.scalars(select(Membership).where(Membership.ended_at.is_(None)))
            if inside(m.organisation_id) and paths[m.organisation_id].startswith(campaign.organisation.path)
        )
    closed = [
        campaign.start_day + timedelta(days=n)
        for n in range((min(today - timedelta(days=1), campaign.end_day) - campaign.start_day).days + 1)
    ]
    enrolled_days = sum(
        1
        for day in closed
        for e in enrolments
        if e.enrolled_at < datetime.combine(day + timedelta(days=1), time.min, tzinfo=ZONE)
    )
    return Reference(
        members=members,
        participants=len(enrolments),
        active=sum(1 for r in records if r.day == today),
        qualified_days=sum(1 for r in records if r.qualified and r.day in closed),
        enrolled_days=enrolled_days,
    )
