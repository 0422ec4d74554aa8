"""Draws (rules §9). A draw (``draw``) spends one of the member's chances (portal/rewards/chances.py) in one
transaction:

1. the chance is claimed by a conditional UPDATE (``… WHERE used_at IS NULL AND expires_at > now``): of
   two requests drawing the same chance, one finds it used (``_claim_chance``);
2. a uniform integer below the pool's total weight (``secrets``) picks a tier or "no prize";
3. a picked tier's stock is taken by a conditional UPDATE (``remaining = remaining - 1 WHERE remaining >
   0``): PostgreSQL re-checks the condition after waiting for a concurrent draw's row lock, so stock is
   never oversold; a tier found empty ends as "sold out", which is no prize;
4. the draw is stored with the roll and the table it was rolled against; a voucher takes a free code.
"""

from __future__ import annotations

import secrets
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.prizes import (
    Draw,
    DrawChance,
    DrawOutcome,
    PrizeCode,
    PrizeKind,
    PrizePool,
    PrizeTier,
    ShippingAddress,
)
from portal.rewards.chances import usable
from portal.rewards.errors import (
    ChanceExpired,
    ChanceNotFound,
    ChanceUsed,
    NoChance,
    NoSuchPool,
    PoolHasNoWeights,
)

_random = secrets.SystemRandom()


def pick(weights: list[int], roll: int) -> int:
    """The index of the outcome ``roll`` falls on, for a roll in ``[0, sum(weights))``: outcome i owns
    ``weights[i]`` consecutive values, so each comes up with probability weight / total."""
    bounds = list(accumulate(weights))
    if not 0 <= roll < bounds[-1]:
        raise ValueError("roll outside the weights")
    return bisect_right(bounds, roll)


def get_pool_or_error(campaign: Campaign, pool_id: int) -> PrizePool:
    pool = db.session.get(PrizePool, pool_id)
    if pool is None or pool.campaign_id != campaign.id:
        raise NoSuchPool()
    return pool


def _claim_chance(enrollment: Enrollment, pool: PrizePool, chance_id: int | None, now: datetime) -> int:
    """Mark one chance used and return its id: the one named (it must be the member's, in this pool),
    or else the member's usable chance that expires first.

    Both are one conditional UPDATE; of two requests claiming the same chance, the second finds it used
    (PostgreSQL re-reads the row after the first commits). Unnamed claims skip chances another request
    is claiming (``SKIP LOCKED``), so taps in several tabs use different chances, never one twice."""
    if chance_id is None:
        soonest = (
            select(DrawChance.id)
            .where(*usable(enrollment, now), DrawChance.pool_id == pool.id)
            .order_by(DrawChance.expires_at, DrawChance.id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claimed = db.session.scalar(
            update(DrawChance)
            .where(DrawChance.id == soonest, DrawChance.used_at.is_(None))
            .values(used_at=now)
            .returning(DrawChance.id)
            .execution_options(synchronize_session=False)
        )
        if claimed is None:
            raise NoChance()
        return claimed
    chance = db.session.get(DrawChance, chance_id)
    if chance is None or chance.enrollment_id != enrollment.id or chance.pool_id != pool.id:
        raise ChanceNotFound()
    claimed = db.session.execute(
        update(DrawChance)
        .where(DrawChance.id == chance.id, DrawChance.used_at.is_(None), DrawChance.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.refresh(chance)
        raise ChanceUsed() if chance.used_at is not None else ChanceExpired()
    return chance.id


def draw(
    enrollment: Enrollment, pool: PrizePool, chance_id: int | None = None, *, now: datetime | None = None
) -> Draw:
    """Draw once in ``pool`` with one of the member's chances (see the module's notes)."""
    now = now or utcnow()
    if pool.campaign_id != enrollment.campaign_id:
        raise NoSuchPool()
    claimed_id = _claim_chance(enrollment, pool, chance_id, now)
    tiers = db.session.scalars(
        select(PrizeTier)
        .where(PrizeTier.pool_id == pool.id)
        .order_by(PrizeTier.position)
        .execution_options(populate_existing=True)
    ).all()
    db.session.refresh(pool)
    outcomes: list[PrizeTier | None] = [*tiers, None]
    weights = [tier.weight for tier in tiers] + [pool.no_prize_weight]
    total = sum(weights)
    if total <= 0:
        raise PoolHasNoWeights()
    roll = _random.randrange(total)
    picked = outcomes[pick(weights, roll)]
    won = picked is not None and _take_one(picked)
    record = Draw(
        chance_id=claimed_id,
        enrollment_id=enrollment.id,
        pool_id=pool.id,
        roll=roll,
        total_weight=total,
        weights=[
            {
                "tier": tier.id if tier else None,
                "name": tier.name if tier else "no prize",
                "weight": weight,
                "remaining": tier.remaining if tier else None,
            }
            for tier, weight in zip(outcomes, weights, strict=True)
        ],
        picked_tier_id=picked.id if picked else None,
        outcome=DrawOutcome.WON if won else (DrawOutcome.SOLD_OUT if picked else DrawOutcome.NO_PRIZE),
        tier_id=picked.id if won else None,
        drawn_at=now,
    )
    db.session.add(record)
    db.session.flush()
    if won and picked.kind is PrizeKind.VOUCHER:
        _give_code(picked, record)
    return record


def _take_one(tier: PrizeTier) -> bool:
    """Take one of the tier's stock, if any is left (the conditional UPDATE decides under concurrency)."""
    return (
        db.session.execute(
            update(PrizeTier)
            .where(PrizeTier.id == tier.id, PrizeTier.remaining > 0)
            .values(remaining=PrizeTier.remaining - 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _give_code(tier: PrizeTier, record: Draw) -> None:
    """A free code of the tier for the winning draw. There is one: the tier's stock only grows with codes,
    so a taken unit of stock always has its code (``FOR UPDATE SKIP LOCKED`` lets concurrent winners take
    different ones on PostgreSQL; SQLite writes one at a time)."""
    code_id = db.session.scalar(
        select(PrizeCode.id)
        .where(PrizeCode.tier_id == tier.id, PrizeCode.draw_id.is_(None))
        .order_by(PrizeCode.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if code_id is None:
        raise RuntimeError(f"voucher tier {tier.id} has stock but no free code")
    db.session.execute(
        update(PrizeCode)
        .where(PrizeCode.id == code_id)
        .values(draw_id=record.id)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class MemberDraw:
    draw: Draw
    code: str | None  # a voucher's code
    address_given: bool  # a shipped prize's address


def draws_of(enrollment: Enrollment, *, limit: int = 100) -> list[MemberDraw]:
    """The member's latest draws with their codes and whether an address was given, in one query."""
    rows = db.session.execute(
        select(Draw, PrizeCode.code, ShippingAddress.id)
        .outerjoin(PrizeCode, PrizeCode.draw_id == Draw.id)
        .outerjoin(ShippingAddress, ShippingAddress.draw_id == Draw.id)
        .where(Draw.enrollment_id == enrollment.id)
        .order_by(Draw.drawn_at.desc(), Draw.id.desc())
        .limit(limit)
        .options(joinedload(Draw.tier), joinedload(Draw.pool))
    )
    return [MemberDraw(record, code, address_id is not None) for record, code, address_id in rows]


def code_of(draw: Draw) -> str | None:
    return db.session.scalar(select(PrizeCode.code).where(PrizeCode.draw_id == draw.id))
