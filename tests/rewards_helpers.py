"""Builders for points and prize tests: pools with chosen tiers, chances handed out directly."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.extensions import db
from portal.models import (
    Campaign,
    ChanceSource,
    DrawChance,
    Enrollment,
    PointEntry,
    PointReason,
    PrizeKind,
    PrizePool,
    PrizeTier,
)
from portal.models.base import utcnow


def make_pool(
    campaign: Campaign,
    source: ChanceSource,
    tiers: list[tuple[str, PrizeKind, int, int]],
    *,
    no_prize_weight: int = 0,
    closes_at: datetime | None = None,
    top_n: int | None = None,
) -> PrizePool:
    """A pool of ``(name, kind, weight, stock)`` tiers, replacing the preset's pool of that source."""
    db.session.query(PrizePool).filter_by(campaign_id=campaign.id, source=source).delete()
    pool = PrizePool(
        campaign_id=campaign.id,
        source=source,
        name="测试奖池",
        no_prize_weight=no_prize_weight,
        closes_at=closes_at or utcnow() + timedelta(days=30),
        top_n=top_n,
    )
    pool.tiers = [
        PrizeTier(
            position=position,
            name=name,
            kind=kind,
            value_fen=50 if kind is PrizeKind.CASH else None,
            weight=weight,
            stock=stock,
            remaining=stock,
            stock_limit=1000 if kind is PrizeKind.VOUCHER else None,
        )
        for position, (name, kind, weight, stock) in enumerate(tiers, start=1)
    ]
    db.session.add(pool)
    db.session.commit()
    return pool


def give_chance(
    enrollment: Enrollment, pool: PrizePool, key: str, *, expires_at: datetime | None = None
) -> DrawChance:
    chance = DrawChance(
        enrollment_id=enrollment.id,
        pool_id=pool.id,
        source=pool.source,
        source_key=key,
        expires_at=expires_at or utcnow() + timedelta(days=1),
    )
    db.session.add(chance)
    db.session.commit()
    return chance


def give_points(enrollment: Enrollment, points: int, key: str = "test") -> None:
    db.session.add(
        PointEntry(
            enrollment_id=enrollment.id,
            campaign_id=enrollment.campaign_id,
            reason=PointReason.QUIZ,
            award_key=key,
            points=points,
        )
    )
    db.session.commit()
