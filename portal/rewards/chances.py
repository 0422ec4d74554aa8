"""Draw chances (rules §9): given for the daily check-in, badges, health days and the final ranking, or
bought with points; each with a key unique per member and source, so giving one twice is impossible, and a
deadline. What a member holds, pool by pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, cast, func, literal, select, true, update

from portal.boards.definitions import individual_board
from portal.boards.snapshots import campaign_closed
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import end_of_local_day
from portal.campaigns.permissions import can_manage
from portal.common.audit import record_audit
from portal.database import insert_for
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.points import Badge, PointEntry, PointReason
from portal.models.prizes import ChanceSource, DrawChance, PrizePool
from portal.models.steps import Checkin, Run
from portal.orgs.permissions import require
from portal.rewards.errors import (
    ChancesAlreadyGranted,
    FinalRankingNotReady,
    NoSuchPool,
    NotEnoughPoints,
    PoolClosed,
)
from portal.rewards.points import day_key, points_of, team_now
from portal.rewards.pools import pool_for, pools_of

CHANCE_COLUMNS = ["enrollment_id", "pool_id", "source", "source_key", "granted_at", "expires_at"]


# --- giving chances ------------------------------------------------------------------------------------


def _grant_from(pool: PrizePool, rows, *, expires_at: datetime, now: datetime) -> int:
    """Give a chance of ``pool`` to each row of ``rows`` (a select of ``enrollment_id`` and ``key``),
    once per key: one ``INSERT … SELECT … ON CONFLICT DO NOTHING``. Returns how many were new."""
    source = rows.subquery("due")
    statement = insert_for(db.engine.dialect.name, DrawChance).from_select(
        CHANCE_COLUMNS,
        select(
            source.c.enrollment_id,
            literal(pool.id),
            literal(pool.source.value),
            source.c.key,
            literal(now, type_=DrawChance.__table__.c.granted_at.type),
            literal(expires_at, type_=DrawChance.__table__.c.expires_at.type),
        ).where(true()),  # SQLite needs a WHERE before ON CONFLICT in INSERT … SELECT
    )
    statement = statement.on_conflict_do_nothing(index_elements=["enrollment_id", "source", "source_key"])
    # Counted from RETURNING: psycopg reports no row count for INSERT … SELECT with literal columns.
    return len(db.session.execute(statement.returning(DrawChance.id)).all())


def grant_checkin_chances(
    campaign: Campaign, day: date, *, now: datetime, member: Enrollment | None = None
) -> int:
    """The daily check-in draw of ``day`` for everyone who checked in (or ``member``): it expires at the
    end of that day, so none is given once the day is over."""
    pool = pool_for(campaign.id, ChanceSource.CHECKIN)
    expires_at = end_of_local_day(day, campaign.timezone)
    if pool is None or now >= expires_at or now >= pool.closes_at:
        return 0
    rows = (
        select(Checkin.enrollment_id, literal(day_key(day)).label("key"))
        .join(Enrollment, Enrollment.id == Checkin.enrollment_id)
        .where(Enrollment.campaign_id == campaign.id, Checkin.day == day)
    )
    if member is not None:
        rows = rows.where(Checkin.enrollment_id == member.id)
    return _grant_from(pool, rows, expires_at=min(expires_at, pool.closes_at), now=now)


def grant_health_chances(
    campaign: Campaign, day: date, *, now: datetime, member: Enrollment | None = None
) -> int:
    """A health draw for each member whose plausible runs of ``day`` reach the rules' distance."""
    km = campaign_rules(campaign).health_distance_km
    pool = pool_for(campaign.id, ChanceSource.HEALTH_DAY)
    if pool is None or km is None or now >= pool.closes_at:
        return 0
    rows = (
        select(Run.enrollment_id, literal(day_key(day)).label("key"))
        .join(Enrollment, Enrollment.id == Run.enrollment_id)
        .where(Enrollment.campaign_id == campaign.id, Run.day == day, Run.too_fast.is_(False))
        .group_by(Run.enrollment_id)
        .having(func.sum(Run.distance_m) >= km * 1000)
    )
    if member is not None:
        rows = rows.where(Run.enrollment_id == member.id)
    return _grant_from(pool, rows, expires_at=pool.closes_at, now=now)


def grant_badge_chances(campaign: Campaign, *, now: datetime, member: Enrollment | None = None) -> int:
    """One grand-prize draw per badge earned."""
    pool = pool_for(campaign.id, ChanceSource.BADGE)
    if pool is None or now >= pool.closes_at:
        return 0
    key = literal("badge:", String).concat(cast(Badge.kind, String))
    rows = select(Badge.enrollment_id, key.label("key")).where(Badge.campaign_id == campaign.id)
    if member is not None:
        rows = rows.where(Badge.enrollment_id == member.id)
    return _grant_from(pool, rows, expires_at=pool.closes_at, now=now)


def grant_final_rank_chances(actor, campaign: Campaign, *, now: datetime | None = None) -> int:
    """The top N of the final individual ranking (ties included) each get one draw, once the campaign's
    last day is settled after it closed; members who never reported are not ranked for it."""
    require(can_manage(actor, campaign))
    now = now or utcnow()
    pool = pool_for(campaign.id, ChanceSource.FINAL_RANK)
    if pool is None:
        raise NoSuchPool()
    if not campaign_closed(campaign, now):
        raise FinalRankingNotReady()
    claimed = db.session.execute(
        update(PrizePool)
        .where(PrizePool.id == pool.id, PrizePool.granted_at.is_(None))
        .values(granted_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise ChancesAlreadyGranted()
    board = individual_board(campaign).subquery("board")
    rows = select(board.c.enrollment_id, literal("final").label("key")).where(
        board.c.rank <= pool.top_n, board.c.active == 1
    )
    granted = _grant_from(pool, rows, expires_at=pool.closes_at, now=now)
    record_audit(
        actor,
        "prizes.final_rank",
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        after={"top_n": pool.top_n, "chances": granted},
    )
    db.session.refresh(pool)
    return granted


def redeem_points(enrollment: Enrollment, *, now: datetime | None = None) -> DrawChance:
    """Spend the rules' points (seed 001: 20) on one chance of the points pool, until its deadline.

    The k-th redemption has the key ``points:k`` both as the chance's key and as the ledger entry's: two
    redemptions racing for the same k meet the unique key, the loser looks again (the balance then
    includes the winner's spending), so points are never spent twice nor below zero.
    """
    now = now or utcnow()
    pool = pool_for(enrollment.campaign_id, ChanceSource.POINTS)
    if pool is None:
        raise NoSuchPool()
    if now >= pool.closes_at:
        raise PoolClosed()
    price = campaign_rules(enrollment.campaign).points.points_per_draw
    for _attempt in range(10):
        bought = db.session.scalar(
            select(func.count())
            .select_from(DrawChance)
            .where(DrawChance.enrollment_id == enrollment.id, DrawChance.source == ChanceSource.POINTS)
        )
        if points_of(enrollment) < price:
            raise NotEnoughPoints()
        key = f"points:{bought + 1}"
        chance_id = db.session.scalar(
            insert_for(db.engine.dialect.name, DrawChance)
            .values(
                enrollment_id=enrollment.id,
                pool_id=pool.id,
                source=ChanceSource.POINTS,
                source_key=key,
                granted_at=now,
                expires_at=pool.closes_at,
            )
            .on_conflict_do_nothing(index_elements=["enrollment_id", "source", "source_key"])
            .returning(DrawChance.id)
        )
        if chance_id is None:
            continue  # a concurrent redemption took this number: count again
        db.session.add(
            PointEntry(
                enrollment_id=enrollment.id,
                campaign_id=enrollment.campaign_id,
                reason=PointReason.REDEEM,
                award_key=key,
                points=-price,
                team_id=db.session.scalar(select(team_now(enrollment.id))),
                awarded_at=now,
            )
        )
        db.session.flush()
        return db.session.get(DrawChance, chance_id)
    raise NotEnoughPoints()


# --- what a member holds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolChances:
    pool: PrizePool
    usable: list[DrawChance]  # soonest deadline first


def usable(enrollment: Enrollment, now: datetime) -> tuple:
    """The conditions of the member's chances that can still be drawn."""
    return (
        DrawChance.enrollment_id == enrollment.id,
        DrawChance.used_at.is_(None),
        DrawChance.expires_at > now,
    )


def chances_of(enrollment: Enrollment, *, now: datetime | None = None) -> list[PoolChances]:
    """Every pool of the campaign with the member's usable chances in it."""
    chances = db.session.scalars(
        select(DrawChance)
        .where(*usable(enrollment, now or utcnow()))
        .order_by(DrawChance.expires_at, DrawChance.id)
    ).all()
    return [
        PoolChances(pool, [chance for chance in chances if chance.pool_id == pool.id])
        for pool in pools_of(enrollment.campaign)
    ]


def open_chance(
    enrollment: Enrollment, source: ChanceSource, *, now: datetime | None = None
) -> DrawChance | None:
    """The member's usable chance of ``source`` that expires first (the campaign page's shortcut)."""
    return db.session.scalar(
        select(DrawChance)
        .where(*usable(enrollment, now or utcnow()), DrawChance.source == source)
        .order_by(DrawChance.expires_at, DrawChance.id)
        .limit(1)
    )
