"""Draws: the weights hold over 100,000 rolls, stock and chances are spent once, every draw is auditable,
voucher codes, shipping addresses and the final-ranking draws."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.campaigns.day_rules import end_of_local_day
from portal.campaigns.steps import report_steps
from portal.common.errors import InvalidPhone
from portal.extensions import db
from portal.models import (
    ChanceSource,
    Checkin,
    Draw,
    DrawChance,
    DrawOutcome,
    PrizeCode,
    PrizeKind,
    ReportSource,
    ShippingAddress,
)
from portal.models.base import utcnow
from portal.rewards import draws as draws_service
from portal.rewards.chances import chances_of, grant_checkin_chances, grant_final_rank_chances
from portal.rewards.draws import draw, get_pool_or_error, pick
from portal.rewards.errors import (
    AddressAlreadyGiven,
    ChanceExpired,
    ChanceNotFound,
    ChancesAlreadyGranted,
    ChanceUsed,
    FinalRankingNotReady,
    InvalidAddress,
    InvalidCodes,
    InvalidRecipient,
    NoChance,
    NoSuchPool,
    PoolWithoutWeight,
    PrizeNotShipped,
    StockBelowWon,
    TooManyCodes,
)
from portal.rewards.pools import preset_pools, update_no_prize_weight, update_tier, upload_codes
from portal.rewards.shipping import AddressInput, address_of, submit_address
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.rewards_helpers import give_chance, make_pool

DRAWS = 100_000


def test_100000_rolls_fall_within_statistical_bounds_of_the_seed_weights():
    """Seed 001's red packets: each tier's count within 5 standard deviations of its expectation, and the
    whole table by a chi-square test far beyond chance (df = 7; 40 has a p-value below 1e-5)."""
    pool = next(spec for spec in preset_pools("motherland-100") if spec.source is ChanceSource.POINTS)
    weights = [tier.weight for tier in pool.tiers] + [pool.no_prize_weight]
    total = sum(weights)
    counts = Counter(pick(weights, draws_service._random.randrange(total)) for _ in range(DRAWS))
    chi_square = 0.0
    for index, weight in enumerate(weights):
        if weight == 0:
            assert counts[index] == 0  # "no prize" has no weight in this pool: never drawn
            continue
        share = weight / total
        expected = DRAWS * share
        deviation = (DRAWS * share * (1 - share)) ** 0.5
        assert abs(counts[index] - expected) <= 5 * deviation, (index, counts[index], expected)
        chi_square += (counts[index] - expected) ** 2 / expected
    assert chi_square < 40


def test_pick_gives_each_outcome_its_own_range_of_rolls():
    assert [pick([2, 0, 3], roll) for roll in range(5)] == [0, 0, 2, 2, 2]
    with pytest.raises(ValueError):
        pick([2, 3], 5)


@pytest.fixture
def member_with_pool(app, tree, make_user):
    campaign = running_campaign(tree["edu"], "teachers-7day")
    member = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    pool = make_pool(
        campaign,
        ChanceSource.CHECKIN,
        [("保温杯", PrizeKind.PHYSICAL, 1, 2), ("红包", PrizeKind.CASH, 0, 10)],
    )
    return campaign, member, pool


def test_a_draw_spends_its_chance_and_records_what_decided_it(member_with_pool):
    _campaign, member, pool = member_with_pool
    chance = give_chance(member, pool, "day:1")
    record = draw(member, pool, chance.id)
    db.session.commit()
    assert record.outcome is DrawOutcome.WON and record.tier.name == "保温杯"
    assert (record.roll, record.total_weight) == (0, 1)
    assert record.weights == [
        {"tier": pool.tiers[0].id, "name": "保温杯", "weight": 1, "remaining": 2},
        {"tier": pool.tiers[1].id, "name": "红包", "weight": 0, "remaining": 10},
        {"tier": None, "name": "no prize", "weight": 0, "remaining": None},
    ]
    db.session.refresh(pool.tiers[0])
    assert pool.tiers[0].remaining == 1
    with pytest.raises(ChanceUsed):
        draw(member, pool, chance.id)
    db.session.rollback()
    with pytest.raises(NoChance):
        draw(member, pool)
    db.session.rollback()


def test_a_tier_that_ran_out_draws_nothing_and_says_so(member_with_pool):
    _campaign, member, pool = member_with_pool
    outcomes = [draw(member, pool, give_chance(member, pool, f"day:{n}").id).outcome for n in range(3)]
    db.session.commit()
    assert outcomes == [DrawOutcome.WON, DrawOutcome.WON, DrawOutcome.SOLD_OUT]
    db.session.refresh(pool.tiers[0])
    assert pool.tiers[0].remaining == 0


def test_refused_draws_lose_nothing(member_with_pool, tree, make_user):
    campaign, member, pool = member_with_pool
    other = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    theirs = give_chance(other, pool, "day:1")
    with pytest.raises(ChanceNotFound):  # another member's chance
        draw(member, pool, theirs.id)
    db.session.rollback()
    expired = give_chance(member, pool, "day:2", expires_at=utcnow() - timedelta(seconds=1))
    with pytest.raises(ChanceExpired):
        draw(member, pool, expired.id)
    db.session.rollback()
    elsewhere = running_campaign(tree["sx"], "motherland-100")
    forged = make_pool(elsewhere, ChanceSource.POINTS, [("红包", PrizeKind.CASH, 1, 1)])
    with pytest.raises(NoSuchPool):  # a pool of another campaign
        get_pool_or_error(campaign, forged.id)
    with pytest.raises(NoSuchPool):
        draw(member, forged, None)
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count()).select_from(DrawChance).where(DrawChance.used_at.is_not(None)))
        == 0
    )
    assert [pool.tiers[0].remaining, theirs.used_at] == [2, None]


def test_the_check_in_draw_lasts_until_midnight(member_with_pool):
    campaign, member, pool = member_with_pool
    today = today_local()
    db.session.add(Checkin(enrollment_id=member.id, day=today, checked_in_at=utcnow()))
    db.session.add(Checkin(enrollment_id=member.id, day=today - timedelta(days=1), checked_in_at=utcnow()))
    db.session.commit()
    assert (
        grant_checkin_chances(campaign, today - timedelta(days=1), now=utcnow()) == 0
    )  # yesterday's is gone
    assert grant_checkin_chances(campaign, today, now=utcnow()) == 1
    assert grant_checkin_chances(campaign, today, now=utcnow()) == 0  # given once
    [entry] = [item for item in chances_of(member) if item.pool.id == pool.id]
    assert [chance.expires_at for chance in entry.usable] == [end_of_local_day(today, campaign.timezone)]
    with pytest.raises(ChanceExpired):
        draw(member, pool, entry.usable[0].id, now=end_of_local_day(today, campaign.timezone))


def test_vouchers_hand_out_their_codes_once(app, tree, make_user):
    admin = make_user(admin_of=tree["edu"])
    campaign = running_campaign(tree["edu"], "teachers-7day")
    member = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    pool = make_pool(campaign, ChanceSource.FINAL_RANK, [("电影券", PrizeKind.VOUCHER, 1, 0)], top_n=10)
    tier = pool.tiers[0]
    assert upload_codes(admin, campaign, tier, "FILM-0001\nFILM-0002\n\nFILM-0001\n") == 2
    assert upload_codes(admin, campaign, tier, "FILM-0002\nFILM-0003") == 1  # the known one is skipped
    db.session.commit()
    with pytest.raises(InvalidCodes):
        upload_codes(admin, campaign, tier, "bad code with spaces")
    db.session.rollback()
    tier.stock_limit = 4
    db.session.commit()
    with pytest.raises(TooManyCodes):
        upload_codes(admin, campaign, tier, "FILM-0004\nFILM-0005")
    db.session.rollback()
    won = [draw(member, pool, give_chance(member, pool, f"k{n}").id) for n in range(4)]
    db.session.commit()
    assert [record.outcome for record in won] == [DrawOutcome.WON] * 3 + [DrawOutcome.SOLD_OUT]
    codes = db.session.execute(select(PrizeCode.draw_id, PrizeCode.code).order_by(PrizeCode.code)).all()
    assert codes == [(won[0].id, "FILM-0001"), (won[1].id, "FILM-0002"), (won[2].id, "FILM-0003")]


def test_a_shipping_address_is_given_once(member_with_pool):
    _campaign, member, pool = member_with_pool
    record = draw(member, pool, give_chance(member, pool, "day:1").id)
    db.session.commit()
    for form, error in (
        (AddressInput("张", "13912345678", "江苏省南京市玄武区中山路1号"), InvalidRecipient),
        (AddressInput("张三", "1234", "江苏省南京市玄武区中山路1号"), InvalidPhone),
        (AddressInput("张三", "13912345678", "南京"), InvalidAddress),
    ):
        with pytest.raises(error):
            submit_address(member, record.id, form)
        db.session.rollback()
    submit_address(
        member, record.id, AddressInput(" 张三 ", "139 1234 5678", "江苏省南京市玄武区中山路1号 3单元")
    )
    db.session.commit()
    with pytest.raises(AddressAlreadyGiven):
        submit_address(member, record.id, AddressInput("李四", "13812345678", "江苏省苏州市姑苏区人民路2号"))
    db.session.rollback()
    shown = address_of(record)
    assert (shown.recipient, shown.phone, shown.address) == (
        "张三",
        "13912345678",
        "江苏省南京市玄武区中山路1号 3单元",
    )
    stored = db.session.scalar(select(ShippingAddress))
    assert "张三".encode() not in stored.recipient_encrypted  # encrypted at rest


def test_an_address_only_for_ones_own_shipped_prize(member_with_pool, tree, make_user):
    campaign, member, pool = member_with_pool
    other = enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"])
    record = draw(member, pool, give_chance(member, pool, "day:1").id)
    cash = make_pool(campaign, ChanceSource.POINTS, [("红包", PrizeKind.CASH, 1, 5)])
    cash_win = draw(member, cash, give_chance(member, cash, "points:1").id)
    db.session.commit()
    address = AddressInput("张三", "13912345678", "江苏省南京市玄武区中山路1号")
    for enrollment, draw_id in ((other, record.id), (member, cash_win.id)):
        with pytest.raises(PrizeNotShipped):
            submit_address(enrollment, draw_id, address)
        db.session.rollback()


def test_the_final_ranking_draw_waits_for_the_settled_last_day(app, tree, make_user):
    campaign = running_campaign(tree["edu"], "teachers-7day", started_days_ago=6)
    pool = make_pool(campaign, ChanceSource.FINAL_RANK, [("电影券", PrizeKind.VOUCHER, 1, 0)], top_n=2)
    members = [enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]) for _ in range(4)]
    campaign.start_day -= timedelta(days=2)  # it ended yesterday
    campaign.end_day -= timedelta(days=2)
    for member, steps in zip(members, (9000, 7000, 12000, 0), strict=True):
        if steps:
            report_steps(
                member, day=campaign.end_day, steps=steps, source=ReportSource.IMPORT, allow_closed=True
            )
    db.session.commit()
    with pytest.raises(FinalRankingNotReady):
        grant_final_rank_chances(None, campaign)
    db.session.rollback()
    settle_day(campaign, campaign.end_day)
    db.session.commit()
    assert grant_final_rank_chances(None, campaign) == 2
    db.session.commit()
    holders = db.session.scalars(select(DrawChance.enrollment_id).where(DrawChance.pool_id == pool.id)).all()
    assert sorted(holders) == sorted([members[0].id, members[2].id])
    with pytest.raises(ChancesAlreadyGranted):
        grant_final_rank_chances(None, campaign)
    db.session.rollback()


def test_presets_bring_their_pools(app, tree):
    from portal.models import PrizePool

    running_campaign(tree["sx"], "motherland-100")
    running_campaign(tree["edu"], "teachers-7day")
    pools = db.session.scalars(select(PrizePool).order_by(PrizePool.id)).all()
    assert [(pool.source, len(pool.tiers)) for pool in pools] == [
        (ChanceSource.POINTS, 8),
        (ChanceSource.BADGE, 6),
        (ChanceSource.CHECKIN, 4),
        (ChanceSource.FINAL_RANK, 1),
    ]
    red_packets = [tier.value_fen for tier in pools[0].tiers]
    assert red_packets == [30, 50, 100, 300, 500, 1000, 2000, 5000]
    assert sum(tier.stock for tier in pools[2].tiers) == 40_000  # at most 40,000 red packets
    voucher = pools[3].tiers[0]
    assert (voucher.kind, voucher.value_fen, voucher.stock, voucher.stock_limit) == (
        PrizeKind.VOUCHER,
        6000,
        0,
        1000,
    )
    assert pools[3].top_n == 10_000


def test_admins_change_weights_and_stock_but_never_below_what_was_won(member_with_pool, make_user, tree):
    campaign, member, pool = member_with_pool
    admin = make_user(admin_of=tree["edu"])
    cup, packet = pool.tiers
    draw(member, pool, give_chance(member, pool, "day:1").id)  # wins a cup: 1 of 2 left
    db.session.commit()
    update_tier(admin, campaign, cup, weight=3, stock=5)
    db.session.commit()
    assert (cup.weight, cup.stock, cup.remaining) == (3, 5, 4)
    with pytest.raises(StockBelowWon):
        update_tier(admin, campaign, cup, weight=3, stock=0)
    db.session.rollback()
    update_no_prize_weight(admin, campaign, pool, 2)
    update_tier(admin, campaign, cup, weight=0, stock=1)  # the one already won: nothing left
    db.session.commit()
    assert (cup.stock, cup.remaining, pool.no_prize_weight) == (1, 0, 2)
    with pytest.raises(PoolWithoutWeight):
        update_no_prize_weight(admin, campaign, pool, 0)  # cup 0, red packet 0, no prize 0
    db.session.rollback()
    assert packet.weight == 0 and pool.no_prize_weight == 2
    record = db.session.scalar(select(Draw))
    assert record.weights[0] == {"tier": cup.id, "name": "保温杯", "weight": 1, "remaining": 2}  # as drawn
