"""Draws, redemptions, addresses and the day's points under real concurrency (PostgreSQL threads)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import (
    Campaign,
    ChanceSource,
    Checkin,
    Draw,
    DrawChance,
    DrawOutcome,
    Enrollment,
    PointEntry,
    PrizeCode,
    PrizeKind,
    PrizePool,
    PrizeTier,
    ReportSource,
)
from portal.models.base import utcnow
from portal.rewards.chances import redeem_points
from portal.rewards.draws import draw
from portal.rewards.points import points_of
from portal.rewards.pools import upload_codes
from portal.rewards.shipping import AddressInput, submit_address
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.concurrency.test_races import race
from tests.rewards_helpers import give_chance, give_points, make_pool

pytestmark = pytest.mark.postgres
DRAWERS = 200


@pytest.fixture
def crowd(app, tree, make_user):
    """A campaign with 20 members; each holds 10 chances of a pool with 5 prizes (weight 1, no "no
    prize"): every draw falls on the prize, so only the stock decides."""
    campaign = running_campaign(tree["edu"], "teachers-7day")
    pool = make_pool(campaign, ChanceSource.CHECKIN, [("保温杯", PrizeKind.PHYSICAL, 1, 5)])
    members = [enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]) for _ in range(20)]
    held = [
        DrawChance(
            enrollment_id=member.id,
            pool_id=pool.id,
            source=pool.source,
            source_key=f"day:{n}",
            expires_at=utcnow() + timedelta(days=1),
        )
        for member in members
        for n in range(DRAWERS // len(members))
    ]
    db.session.add_all(held)
    db.session.commit()
    return campaign, pool, [(chance.enrollment_id, chance.id) for chance in held]


def _draw_with(pool_id: int, enrollment_id: int, chance_id: int | None) -> None:
    draw(db.session.get(Enrollment, enrollment_id), db.session.get(PrizePool, pool_id), chance_id)


@pytest.mark.parametrize("round_", range(3))
def test_200_concurrent_draws_on_5_prizes_give_exactly_5_winners(app, crowd, round_):
    _campaign, pool, chances = crowd
    outcomes = race(app, lambda i: _draw_with(pool.id, *chances[i]), threads=DRAWERS)
    assert outcomes == Counter({"ok": DRAWERS})
    results = Counter(db.session.scalars(select(Draw.outcome)).all())
    assert results == Counter({DrawOutcome.WON: 5, DrawOutcome.SOLD_OUT: DRAWERS - 5})
    assert db.session.scalar(select(PrizeTier.remaining).where(PrizeTier.pool_id == pool.id)) == 0
    used = select(func.count()).select_from(DrawChance).where(DrawChance.used_at.is_not(None))
    assert db.session.scalar(used) == DRAWERS


def test_one_chance_drawn_at_once_from_many_tabs_draws_once(app, crowd):
    _campaign, pool, chances = crowd
    enrollment_id, chance_id = chances[0]
    outcomes = race(app, lambda _i: _draw_with(pool.id, enrollment_id, chance_id), threads=12)
    assert outcomes == Counter({"ok": 1, "ChanceUsed": 11})
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 1


def test_drawing_the_soonest_chance_at_once_uses_each_chance_once(app, crowd):
    _campaign, pool, chances = crowd
    enrollment_id = chances[0][0]  # ten chances: twelve requests without a chance id
    outcomes = race(app, lambda _i: _draw_with(pool.id, enrollment_id, None), threads=12)
    assert outcomes == Counter({"ok": 10, "NoChance": 2})
    drawn = db.session.scalars(select(Draw.chance_id).where(Draw.enrollment_id == enrollment_id)).all()
    assert len(drawn) == len(set(drawn)) == 10


def test_concurrent_voucher_winners_get_different_codes(app, tree, make_user):
    admin = make_user(admin_of=tree["edu"])
    campaign = running_campaign(tree["edu"], "teachers-7day")
    pool = make_pool(campaign, ChanceSource.FINAL_RANK, [("电影券", PrizeKind.VOUCHER, 1, 0)], top_n=10)
    upload_codes(admin, campaign, pool.tiers[0], "\n".join(f"FILM-{n:04d}" for n in range(6)))
    db.session.commit()
    members = [enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]) for _ in range(20)]
    chances = [(member.id, give_chance(member, pool, "final").id) for member in members]
    outcomes = race(app, lambda i: _draw_with(pool.id, *chances[i]), threads=len(chances))
    assert outcomes == Counter({"ok": 20})
    given = db.session.scalars(select(PrizeCode.draw_id).where(PrizeCode.draw_id.is_not(None))).all()
    assert len(given) == len(set(given)) == 6
    assert (
        db.session.scalar(select(func.count()).select_from(Draw).where(Draw.outcome == DrawOutcome.WON)) == 6
    )


def test_concurrent_redemptions_never_spend_points_twice(app, tree, make_user):
    campaign = running_campaign(tree["sx"], "motherland-100")
    member = enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"])
    give_points(member, 65)
    member_id = member.id
    outcomes = race(app, lambda _i: redeem_points(db.session.get(Enrollment, member_id)), threads=10)
    assert outcomes == Counter({"ok": 3, "NotEnoughPoints": 7})
    assert points_of(member) == 5
    assert db.session.scalar(select(func.count()).select_from(DrawChance)) == 3


def test_two_addresses_at_once_keep_the_first(app, tree, make_user):
    campaign = running_campaign(tree["edu"], "teachers-7day")
    pool = make_pool(campaign, ChanceSource.CHECKIN, [("保温杯", PrizeKind.PHYSICAL, 1, 5)])
    member = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    record = draw(member, pool, give_chance(member, pool, "day:1").id)
    db.session.commit()
    member_id, draw_id = member.id, record.id

    def submit(index: int) -> None:
        form = AddressInput(f"收件人{index}", "13912345678", f"江苏省南京市玄武区中山路{index + 1}号")
        submit_address(db.session.get(Enrollment, member_id), draw_id, form)

    outcomes = race(app, submit, threads=8)
    assert outcomes == Counter({"ok": 1, "AddressAlreadyGiven": 7})


def test_concurrent_settlements_pay_the_same_points(app, tree, make_user):
    campaign = running_campaign(tree["sx"], "motherland-100", started_days_ago=3)
    campaign.rules = {**campaign.rules, "settle_window": None}
    db.session.commit()
    yesterday = today_local() - timedelta(days=1)
    for steps in (11000, 4500, 6100, 0):
        member = enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"])
        report_steps(member, day=yesterday, steps=steps, source=ReportSource.IMPORT, allow_closed=True)
        db.session.add(Checkin(enrollment_id=member.id, day=yesterday, checked_in_at=utcnow()))
    db.session.commit()
    campaign_id = campaign.id

    outcomes = race(app, lambda _i: settle_day(db.session.get(Campaign, campaign_id), yesterday), threads=6)
    assert outcomes == {"ok": 6}
    total = db.session.scalar(select(func.sum(PointEntry.points)))
    entries = db.session.scalar(select(func.count()).select_from(PointEntry))
    # check-ins 4 × 1; steps 5 + 2 + 3 + 0; qualified days 2
    assert (entries, total) == (4 + 3 + 2, 4 + 10 + 2)
    settle_day(db.session.get(Campaign, campaign_id), yesterday)
    db.session.commit()
    assert db.session.scalar(select(func.sum(PointEntry.points))) == total
