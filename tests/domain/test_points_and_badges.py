"""The points ledger paid by settlement and by actions, redemption, and badges with their draws."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import (
    Badge,
    BadgeKind,
    ChanceSource,
    Checkin,
    DrawChance,
    Landmark,
    LandmarkVisit,
    PointEntry,
    PointReason,
    ReportSource,
)
from portal.models.base import utcnow
from portal.rewards import earning as rewards
from portal.rewards.chances import redeem_points
from portal.rewards.earning import check_in_and_reward, rewards_of_user
from portal.rewards.errors import NotEnoughPoints, PoolClosed
from portal.rewards.points import ledger_of, points_of
from portal.teams.team import create_team
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.rewards_helpers import give_points
from tests.route_helpers import walk_days


def _ledger() -> list[tuple]:
    return sorted(
        db.session.execute(
            select(
                PointEntry.enrollment_id,
                PointEntry.reason,
                PointEntry.award_key,
                PointEntry.points,
                PointEntry.team_id,
            )
        ).all()
    )


@pytest.fixture
def motherland(app, tree, make_user):
    """Seed 001 without its settle window (reports at any hour qualify), two members, one in a team."""
    campaign = running_campaign(tree["sx"], "motherland-100", started_days_ago=3)
    campaign.rules = {**campaign.rules, "settle_window": None}
    db.session.commit()
    walker = enrolled(member_of(make_user(real_name="韩立"), tree["xa"]), campaign, tree["xa"])
    stroller = enrolled(member_of(make_user(real_name="南宫婉"), tree["xa"]), campaign, tree["xa"])
    team = create_team(walker, "晨光队")
    db.session.commit()
    return campaign, walker, stroller, team


def test_settlement_pays_the_day_rules_once_with_the_team_of_the_moment(motherland):
    campaign, walker, stroller, team = motherland
    yesterday = today_local() - timedelta(days=1)
    for member, steps in ((walker, 11000), (stroller, 4500)):
        report_steps(member, day=yesterday, steps=steps, source=ReportSource.IMPORT, allow_closed=True)
        db.session.add(Checkin(enrollment_id=member.id, day=yesterday, checked_in_at=utcnow()))
    db.session.commit()

    settle_day(campaign, yesterday)
    db.session.commit()
    first = _ledger()
    settle_day(campaign, yesterday)
    db.session.commit()
    assert _ledger() == first
    key = f"day:{yesterday.isoformat()}"
    assert first == sorted(
        [
            (walker.id, PointReason.CHECKIN, key, 1, team.id),
            (walker.id, PointReason.STEPS, key, 5, team.id),  # 10,000 counted (the cap): 5, the daily max
            (walker.id, PointReason.QUALIFIED_DAY, key, 1, team.id),
            (stroller.id, PointReason.CHECKIN, key, 1, None),
            (stroller.id, PointReason.STEPS, key, 2, None),  # 4,500 steps: 2 points, not qualified
        ]
    )
    assert points_of(walker) == 7 and points_of(stroller) == 3
    assert all(entry.day == yesterday for entry in ledger_of(walker))


def test_an_open_day_pays_the_check_in_but_waits_for_steps(motherland):
    campaign, walker, _stroller, _team = motherland
    report_steps(walker, day=today_local(), steps=9000, source=ReportSource.FORM)
    check_in_and_reward(walker)  # the page pays the check-in at once
    db.session.commit()
    assert points_of(walker) == 1
    settle_day(campaign, today_local())
    db.session.commit()
    assert [(e.reason, e.points) for e in ledger_of(walker)] == [(PointReason.CHECKIN, 1)]


def test_a_settlement_killed_after_paying_leaves_nothing_and_a_rerun_pays_the_same(motherland, monkeypatch):
    campaign, walker, stroller, _team = motherland
    yesterday = today_local() - timedelta(days=1)
    for member, steps in ((walker, 8000), (stroller, 6400)):
        report_steps(member, day=yesterday, steps=steps, source=ReportSource.IMPORT, allow_closed=True)
    db.session.commit()

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(rewards, "award_badges", killed)  # after the points, before the commit
    with pytest.raises(KeyboardInterrupt):
        settle_day(campaign, yesterday)
    db.session.rollback()
    assert _ledger() == []
    monkeypatch.undo()
    settle_day(campaign, yesterday)
    db.session.commit()
    once = _ledger()
    settle_day(campaign, yesterday)
    db.session.commit()
    assert _ledger() == once and {row[0] for row in once} == {walker.id, stroller.id}
    assert points_of(walker) == 4 + 1 and points_of(stroller) == 3 + 1


def test_redeeming_points_until_the_balance_or_the_deadline_runs_out(motherland):
    _campaign, walker, _stroller, _team = motherland
    give_points(walker, 45)
    first = redeem_points(walker)
    second = redeem_points(walker)
    db.session.commit()
    assert (first.source_key, second.source_key) == ("points:1", "points:2")
    assert points_of(walker) == 5
    with pytest.raises(NotEnoughPoints):
        redeem_points(walker)
    db.session.rollback()
    redeemed = [e for e in ledger_of(walker) if e.reason is PointReason.REDEEM]
    assert sorted(e.points for e in redeemed) == [-20, -20]
    give_points(walker, 40, key="more")
    pool = first.pool
    with pytest.raises(PoolClosed):
        redeem_points(walker, now=pool.closes_at)
    db.session.rollback()
    assert points_of(walker) == 45


def test_badges_each_bring_one_grand_prize_draw(motherland):
    campaign, walker, stroller, _team = motherland
    landmarks = db.session.scalars(select(Landmark).where(Landmark.campaign_id == campaign.id)).all()
    for landmark in landmarks:
        db.session.add(LandmarkVisit(enrollment_id=walker.id, landmark_id=landmark.id, passed_at=utcnow()))
    db.session.add(LandmarkVisit(enrollment_id=stroller.id, landmark_id=landmarks[0].id, passed_at=utcnow()))
    db.session.commit()
    rewards.catch_up_member(walker)
    rewards.catch_up_member(walker)
    settle_day(campaign, today_local() - timedelta(days=1))
    db.session.commit()
    assert db.session.execute(select(Badge.enrollment_id, Badge.kind)).all() == [
        (walker.id, BadgeKind.ROUTE_COMPLETE)
    ]
    chances = db.session.scalars(select(DrawChance)).all()
    assert [(c.enrollment_id, c.source, c.source_key) for c in chances] == [
        (walker.id, ChanceSource.BADGE, "badge:route_complete")
    ]
    summary = rewards_of_user(walker.user_id)
    assert [(item.campaign.id, [b.kind for b in item.badges]) for item in summary] == [
        (campaign.id, [BadgeKind.ROUTE_COMPLETE])
    ]


def test_full_attendance_and_qualified_days_badges(app, tree, make_user):
    teachers = running_campaign(tree["edu"], "teachers-7day", started_days_ago=6)
    regular = enrolled(member_of(make_user(), tree["njmu"]), teachers, tree["njmu"])
    for back in range(1, 7):
        db.session.add(
            Checkin(
                enrollment_id=regular.id, day=today_local() - timedelta(days=back), checked_in_at=utcnow()
            )
        )
    db.session.commit()
    rewards.catch_up_member(regular)
    assert db.session.scalar(select(func.count()).select_from(Badge)) == 0  # one day still to go
    check_in_and_reward(regular)
    db.session.commit()
    assert db.session.scalars(select(Badge.kind)).all() == [BadgeKind.FULL_ATTENDANCE]

    eco = running_campaign(tree["js"], "eco-walk", started_days_ago=14)
    walker = enrolled(member_of(make_user(), tree["nj_company"]), eco, tree["nj_company"])
    walk_days(walker, [6000] * 12 + [100])
    settle_day(eco, today_local() - timedelta(days=1))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Badge).where(Badge.campaign_id == eco.id)) == 0
    walk_days(walker, [6000] * 13)
    settle_day(eco, today_local() - timedelta(days=1))
    db.session.commit()
    assert db.session.scalars(select(Badge.kind).where(Badge.campaign_id == eco.id)).all() == [
        BadgeKind.QUALIFIED_DAYS
    ]
