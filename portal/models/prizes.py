"""Prize pools and draws (rules §9): pools of tiers with weights and stock, the chances members hold, every
draw with what decided it, voucher codes and shipping addresses.

Invariants live in the database: stock never goes below zero (a conditional UPDATE takes it), a chance is
used by one draw (``draws.chance_id`` is unique), a voucher code goes to one draw, one address per draw.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, str_enum, utcnow
from portal.models.campaign import Enrollment


class ChanceSource(enum.StrEnum):
    """Where a draw chance comes from; each pool of a campaign is fed by one source."""

    POINTS = "points"  # bought with points (seed 001: 20 points = 1 chance)
    CHECKIN = "checkin"  # the daily check-in draw, gone at the end of its day (seed 002)
    BADGE = "badge"  # one grand-prize draw per badge (seed 001)
    FINAL_RANK = "final_rank"  # the top N of the final individual ranking (seed 002: 10,000)
    HEALTH_DAY = "health_day"  # a day with the rules' distance of runs (seed 000: 1.61 km)


class PrizeKind(enum.StrEnum):
    CASH = "cash"  # a red packet or phone credit: paid by the union's payment channel from the export
    VOUCHER = "voucher"  # a code the winner redeems elsewhere; admins upload the codes
    PHYSICAL = "physical"  # shipped: the winner gives an address once


class PrizePool(Base):
    __tablename__ = "prize_pools"
    __table_args__ = (
        UniqueConstraint("campaign_id", "source"),
        CheckConstraint("no_prize_weight >= 0", name="no_prize_weight_not_negative"),
        CheckConstraint("top_n IS NULL OR top_n >= 1", name="top_n_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    source: Mapped[ChanceSource] = mapped_column(str_enum(ChanceSource))
    name: Mapped[str] = mapped_column(String(40))
    # The weight of "no prize" (谢谢参与) beside the tiers' weights.
    no_prize_weight: Mapped[int] = mapped_column(default=0)
    # Chances of this pool are drawn, and points redeemed, until this instant.
    closes_at: Mapped[datetime]
    # For the final-rank pool: how many of the final individual ranking get a chance.
    top_n: Mapped[int | None]
    # When the final-rank chances were given (once).
    granted_at: Mapped[datetime | None]

    tiers: Mapped[list[PrizeTier]] = relationship(order_by="PrizeTier.position", back_populates="pool")


class PrizeTier(Base):
    __tablename__ = "prize_tiers"
    __table_args__ = (
        UniqueConstraint("pool_id", "position"),
        CheckConstraint("weight >= 0", name="weight_not_negative"),
        CheckConstraint("remaining >= 0 AND remaining <= stock", name="remaining_within_stock"),
        CheckConstraint("stock_limit IS NULL OR stock <= stock_limit", name="stock_within_limit"),
        CheckConstraint("value_fen IS NULL OR value_fen > 0", name="value_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("prize_pools.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[PrizeKind] = mapped_column(str_enum(PrizeKind))
    value_fen: Mapped[int | None]  # cash and vouchers: the value in fen (0.3 yuan = 30)
    weight: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)  # how many there are in all
    remaining: Mapped[int] = mapped_column(default=0)  # how many are still to win
    stock_limit: Mapped[int | None]  # vouchers: at most this many codes may be uploaded

    pool: Mapped[PrizePool] = relationship(back_populates="tiers")


class DrawChance(Base):
    """One draw a member may make in one pool, until ``expires_at``; ``used_at`` is set by the draw."""

    __tablename__ = "draw_chances"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "source", "source_key"),
        Index("ix_draw_chances_enrollment_pool", "enrollment_id", "pool_id", "used_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    pool_id: Mapped[int] = mapped_column(ForeignKey("prize_pools.id", ondelete="CASCADE"))
    source: Mapped[ChanceSource] = mapped_column(str_enum(ChanceSource))
    # What gave it, unique per member and source ("day:2026-12-02", "badge:route_complete", "points:3").
    source_key: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    pool: Mapped[PrizePool] = relationship()
    enrollment: Mapped[Enrollment] = relationship()


class DrawOutcome(enum.StrEnum):
    WON = "won"
    NO_PRIZE = "no_prize"  # the roll fell on "no prize"
    SOLD_OUT = "sold_out"  # the roll fell on a tier with nothing left: no prize


class Draw(Base):
    """A draw and everything that decided it: the roll, the weights and stock it was rolled against, the
    tier it fell on, and the outcome."""

    __tablename__ = "draws"
    __table_args__ = (
        CheckConstraint("roll >= 0 AND roll < total_weight", name="roll_within_weights"),
        CheckConstraint("(outcome = 'won') = (tier_id IS NOT NULL)", name="won_has_tier"),
        Index("ix_draws_pool_drawn", "pool_id", "drawn_at"),
        Index("ix_draws_enrollment", "enrollment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chance_id: Mapped[int] = mapped_column(ForeignKey("draw_chances.id", ondelete="RESTRICT"), unique=True)
    enrollment_id: Mapped[int] = mapped_column(ForeignKey("enrollments.id", ondelete="CASCADE"))
    pool_id: Mapped[int] = mapped_column(ForeignKey("prize_pools.id", ondelete="CASCADE"))
    # A uniform integer in [0, total_weight) from the operating system's random source.
    roll: Mapped[int]
    total_weight: Mapped[int]
    # The table rolled against: [{"tier": id or None for no prize, "name", "weight", "remaining"}].
    weights: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    picked_tier_id: Mapped[int | None] = mapped_column(ForeignKey("prize_tiers.id", ondelete="SET NULL"))
    outcome: Mapped[DrawOutcome] = mapped_column(str_enum(DrawOutcome))
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("prize_tiers.id", ondelete="RESTRICT"))
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)

    tier: Mapped[PrizeTier | None] = relationship(foreign_keys=[tier_id])
    pool: Mapped[PrizePool] = relationship()
    enrollment: Mapped[Enrollment] = relationship()


class PrizeCode(Base):
    """A voucher code uploaded by an admin; ``draw_id`` is set when a draw wins it (once)."""

    __tablename__ = "prize_codes"
    __table_args__ = (UniqueConstraint("tier_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("prize_tiers.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id", ondelete="RESTRICT"), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShippingAddress(Base):
    """Where a physical prize goes: given once by the winner, never changed (one row per draw).
    Name, phone and address are personal data, kept encrypted (portal/common/pii.py)."""

    __tablename__ = "shipping_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id", ondelete="CASCADE"), unique=True)
    recipient_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    phone_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    address_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
