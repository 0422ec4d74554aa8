"""Prize pools (rules §9): the pools a preset brings (``pools:`` in ``seeds/presets/<name>.yaml``, checked
by the schema below), voucher codes uploaded by admins, and what admins read: stock, the draw log, the
winners and the shipping addresses, with Excel exports.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal

import yaml
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import select, true, update

from portal.campaigns.day_rules import end_of_local_day
from portal.campaigns.permissions import can_manage
from portal.campaigns.rules import PRESETS_DIR
from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.extensions import db
from portal.models.campaign import Campaign
from portal.models.identity import User
from portal.models.prizes import ChanceSource, PrizeCode, PrizeKind, PrizePool, PrizeTier
from portal.orgs.permissions import require
from portal.rewards.errors import (
    InvalidCodes,
    NotAVoucherTier,
    PoolWithoutWeight,
    StockBelowWon,
    TooManyCodes,
)

CODE_PATTERN = re.compile(r"[A-Za-z0-9\-]{4,64}")
MAX_CODES_PER_UPLOAD = 10_000


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TierSpec(_Spec):
    name: str = Field(min_length=1, max_length=40)
    kind: PrizeKind
    value_yuan: Decimal | None = Field(default=None, gt=0, decimal_places=2)
    weight: int = Field(ge=0)
    stock: int = Field(default=0, ge=0)
    stock_limit: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _consistent(self):
        if self.kind is PrizeKind.VOUCHER and self.stock:
            raise ValueError("a voucher's stock is the codes admins upload: give stock_limit instead")
        if self.stock_limit is not None and self.kind is not PrizeKind.VOUCHER:
            raise ValueError("only vouchers have a stock limit")
        return self


class PoolSpec(_Spec):
    source: ChanceSource
    name: str = Field(min_length=1, max_length=40)
    no_prize_weight: int = Field(default=0, ge=0)
    close_days_after_end: int = Field(default=7, ge=0, le=366)
    top_n: int | None = Field(default=None, ge=1)
    tiers: tuple[TierSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        if self.no_prize_weight + sum(tier.weight for tier in self.tiers) <= 0:
            raise ValueError("a pool needs some weight to draw against")
        if (self.top_n is not None) != (self.source is ChanceSource.FINAL_RANK):
            raise ValueError("top_n goes with, and only with, the final-rank pool")
        return self


def preset_pools(preset: str) -> list[PoolSpec]:
    path = PRESETS_DIR / f"{preset}.yaml"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return [PoolSpec.model_validate(entry) for entry in data.get("pools", [])]


def pool_closes_at(campaign: Campaign, days_after_end: int) -> datetime:
    """Local midnight at the end of the campaign's last day, plus ``days_after_end`` days."""
    return end_of_local_day(campaign.end_day + timedelta(days=days_after_end), campaign.timezone)


def copy_preset_pools(campaign: Campaign) -> int:
    """Give a campaign made from a preset the preset's pools, unless it has pools already."""
    if not campaign.preset or db.session.scalar(
        select(PrizePool.id).where(PrizePool.campaign_id == campaign.id).limit(1)
    ):
        return 0
    specs = preset_pools(campaign.preset)
    for spec in specs:
        pool = PrizePool(
            campaign_id=campaign.id,
            source=spec.source,
            name=spec.name,
            no_prize_weight=spec.no_prize_weight,
            closes_at=pool_closes_at(campaign, spec.close_days_after_end),
            top_n=spec.top_n,
        )
        pool.tiers = [
            PrizeTier(
                position=position,
                name=tier.name,
                kind=tier.kind,
                value_fen=int(tier.value_yuan * 100) if tier.value_yuan else None,
                weight=tier.weight,
                stock=tier.stock,
                remaining=tier.stock,
                stock_limit=tier.stock_limit,
            )
            for position, tier in enumerate(spec.tiers, start=1)
        ]
        db.session.add(pool)
    db.session.flush()
    return len(specs)


def pools_of(campaign: Campaign) -> list[PrizePool]:
    return list(
        db.session.scalars(
            select(PrizePool).where(PrizePool.campaign_id == campaign.id).order_by(PrizePool.id)
        )
    )


def pool_for(campaign_id: int, source: ChanceSource) -> PrizePool | None:
    return db.session.scalar(
        select(PrizePool).where(PrizePool.campaign_id == campaign_id, PrizePool.source == source)
    )


def tier_of(campaign: Campaign, tier_id: int) -> PrizeTier:
    """A tier of one of this campaign's pools; any other id (another campaign's, a forged one) is a 404."""
    tier = db.session.get(PrizeTier, tier_id)
    if tier is None or tier.pool.campaign_id != campaign.id:
        raise NotFound()
    return tier


def parse_codes(text: str) -> list[str]:
    """The distinct codes of a pasted list (one per line; blanks and repeats dropped)."""
    codes = list(dict.fromkeys(line.strip() for line in (text or "").splitlines() if line.strip()))
    if not codes or len(codes) > MAX_CODES_PER_UPLOAD or not all(CODE_PATTERN.fullmatch(c) for c in codes):
        raise InvalidCodes()
    return codes


def upload_codes(actor: User, campaign: Campaign, tier: PrizeTier, text: str) -> int:
    """Add voucher codes to ``tier``: each new code is one more to win. Codes already there are skipped;
    the tier's limit (seed 002: 1,000) is never passed. Returns how many were added."""
    require(can_manage(actor, campaign))
    if tier.kind is not PrizeKind.VOUCHER:
        raise NotAVoucherTier()
    codes = parse_codes(text)
    known = set(
        db.session.scalars(
            select(PrizeCode.code).where(PrizeCode.tier_id == tier.id, PrizeCode.code.in_(codes))
        )
    )
    new = [code for code in codes if code not in known]
    # Stock and remaining grow together in one conditional UPDATE: concurrent uploads cannot pass the limit.
    limit_ok = True if tier.stock_limit is None else PrizeTier.stock + len(new) <= tier.stock_limit
    grown = db.session.execute(
        update(PrizeTier)
        .where(PrizeTier.id == tier.id, limit_ok)
        .values(stock=PrizeTier.stock + len(new), remaining=PrizeTier.remaining + len(new))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not grown:
        db.session.refresh(tier)
        raise TooManyCodes(
            _(
                "At most %(limit)s codes in all; %(stock)s are uploaded.",
                limit=tier.stock_limit,
                stock=tier.stock,
            )
        )
    db.session.add_all(PrizeCode(tier_id=tier.id, code=code) for code in new)
    record_audit(
        actor,
        "prizes.codes",
        subject_type="prize_tier",
        subject_id=tier.id,
        organisation_id=campaign.organisation_id,
        after={"added": len(new), "skipped": len(codes) - len(new)},
    )
    db.session.flush()
    db.session.refresh(tier)
    return len(new)


def _require_some_weight(pool: PrizePool) -> None:
    db.session.flush()
    db.session.refresh(pool)
    for tier in pool.tiers:
        db.session.refresh(tier)
    if pool.no_prize_weight + sum(tier.weight for tier in pool.tiers) <= 0:
        raise PoolWithoutWeight()


def update_tier(actor: User, campaign: Campaign, tier: PrizeTier, *, weight: int, stock: int | None) -> None:
    """Change a tier's weight and, except for vouchers (their stock is their codes), its stock. The stock
    never goes below what was won already; what is left follows: one conditional UPDATE, so a draw taking
    stock at the same moment is counted. Past draws keep the weights they were rolled against."""
    require(can_manage(actor, campaign))
    before = {"weight": tier.weight, "stock": tier.stock, "remaining": tier.remaining}
    values: dict = {"weight": weight}
    condition = true()
    if stock is not None and tier.kind is not PrizeKind.VOUCHER:
        won = PrizeTier.stock - PrizeTier.remaining
        values.update(stock=stock, remaining=stock - won)
        condition = won <= stock
    changed = db.session.execute(
        update(PrizeTier)
        .where(PrizeTier.id == tier.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.refresh(tier)
        raise StockBelowWon(
            _("The stock cannot be below the %(n)s already won.", n=tier.stock - tier.remaining)
        )
    _require_some_weight(tier.pool)
    record_audit(
        actor,
        "prizes.edit",
        subject_type="prize_tier",
        subject_id=tier.id,
        organisation_id=campaign.organisation_id,
        before=before,
        after={"weight": tier.weight, "stock": tier.stock, "remaining": tier.remaining},
    )


def update_no_prize_weight(actor: User, campaign: Campaign, pool: PrizePool, weight: int) -> None:
    require(can_manage(actor, campaign))
    before = pool.no_prize_weight
    pool.no_prize_weight = weight
    _require_some_weight(pool)
    record_audit(
        actor,
        "prizes.edit",
        subject_type="prize_pool",
        subject_id=pool.id,
        organisation_id=campaign.organisation_id,
        before={"no_prize_weight": before},
        after={"no_prize_weight": weight},
    )


def pool_of(campaign: Campaign, pool_id: int) -> PrizePool:
    """A pool of this campaign; any other id (another campaign's, a forged one) is a 404."""
    pool = db.session.get(PrizePool, pool_id)
    if pool is None or pool.campaign_id != campaign.id:
        raise NotFound()
    return pool
