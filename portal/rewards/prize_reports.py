"""What admins read of a campaign's prizes: counts per pool, the draw log with what decided each draw, and
the winners' and addresses' workbooks (openpyxl, write-only; each export in the audit trail)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.campaigns.permissions import can_manage
from portal.common.audit import record_audit
from portal.common.spreadsheets import cell_time, money_cell, new_workbook, saved_workbook
from portal.extensions import db
from portal.labels import label
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
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
from portal.orgs.permissions import require
from portal.rewards.shipping import read_address


def _per_pool(campaign: Campaign, model, counted) -> dict[int, tuple[int, int]]:
    """Per pool of the campaign: the rows of ``model`` (draws or chances), and how many have ``counted``."""
    rows = db.session.execute(
        select(model.pool_id, func.count(), func.count(counted))
        .join(PrizePool, PrizePool.id == model.pool_id)
        .where(PrizePool.campaign_id == campaign.id)
        .group_by(model.pool_id)
    )
    return {pool_id: (int(every), int(some)) for pool_id, every, some in rows}


def drawn_per_pool(campaign: Campaign) -> dict[int, tuple[int, int]]:
    """Per pool: draws made and prizes won."""
    return _per_pool(campaign, Draw, Draw.tier_id)


def chances_per_pool(campaign: Campaign) -> dict[int, tuple[int, int]]:
    """Per pool: chances given and chances used."""
    return _per_pool(campaign, DrawChance, DrawChance.used_at)


@dataclass(frozen=True)
class DrawLine:
    """A draw as admins read it: who, when, the roll against the weights, and what came of it."""

    draw: Draw
    pool_name: str
    tier: PrizeTier | None  # the prize won
    picked_name: str | None
    real_name: str | None
    phone: str
    unit: str
    code: str | None
    has_address: bool


def _draw_lines(campaign: Campaign, *, won_only: bool, pool_id: int | None = None):
    picked = db.aliased(PrizeTier)
    query = (
        select(
            Draw,
            PrizePool.name,
            PrizeTier,
            picked.name,
            User.real_name,
            User.phone,
            Organisation.name,
            PrizeCode.code,
            ShippingAddress.id,
        )
        .join(PrizePool, PrizePool.id == Draw.pool_id)
        .join(Enrollment, Enrollment.id == Draw.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .join(Organisation, Organisation.id == Enrollment.unit_id)
        .outerjoin(PrizeTier, PrizeTier.id == Draw.tier_id)
        .outerjoin(picked, picked.id == Draw.picked_tier_id)
        .outerjoin(PrizeCode, PrizeCode.draw_id == Draw.id)
        .outerjoin(ShippingAddress, ShippingAddress.draw_id == Draw.id)
        .where(PrizePool.campaign_id == campaign.id)
        .order_by(Draw.drawn_at.desc(), Draw.id.desc())
    )
    if won_only:
        query = query.where(Draw.outcome == DrawOutcome.WON)
    if pool_id is not None:
        query = query.where(Draw.pool_id == pool_id)
    return query


def draw_log(campaign: Campaign, *, pool_id: int | None = None, limit: int = 200) -> list[DrawLine]:
    """The latest draws of the campaign (or of one pool), newest first."""
    rows = db.session.execute(_draw_lines(campaign, won_only=False, pool_id=pool_id).limit(limit))
    return [DrawLine(*row[:8], has_address=row[8] is not None) for row in rows]


def export_winners(actor: User, campaign: Campaign):
    """Every winning draw as an .xlsx (rewound temporary file), for paying and sending the prizes."""
    require(can_manage(actor, campaign))
    workbook, sheet = new_workbook(
        str(_("Winners")),
        [
            str(_("Drawn at")),
            str(_("Draw number")),
            str(_("Pool")),
            str(_("Prize")),
            str(_("Kind")),
            str(_("Value (yuan)")),
            str(_("Name")),
            str(_("Mobile number")),
            str(_("Unit")),
            str(_("Voucher code")),
            str(_("Address given")),
        ],
    )
    count = 0
    query = _draw_lines(campaign, won_only=True).execution_options(yield_per=1000)
    for draw, pool_name, tier, _picked, real_name, phone, unit, code, address_id in db.session.execute(query):
        shipped = tier.kind is PrizeKind.PHYSICAL
        sheet.append(
            [
                cell_time(draw.drawn_at),
                draw.id,
                pool_name,
                tier.name,
                label(tier.kind),
                money_cell(sheet, tier.value_fen or None),
                real_name or "",
                phone,
                unit,
                code or "",
                str(_("yes")) if address_id else (str(_("no")) if shipped else ""),
            ]
        )
        count += 1
    _audit_export(actor, campaign, "prizes.export_winners", count)
    return saved_workbook(workbook)


def export_addresses(actor: User, campaign: Campaign):
    """The shipping addresses given for physical prizes, decrypted for the people who send them."""
    require(can_manage(actor, campaign))
    workbook, sheet = new_workbook(
        str(_("Addresses")),
        [
            str(_("Draw number")),
            str(_("Prize")),
            str(_("Recipient")),
            str(_("Recipient's phone")),
            str(_("Address")),
            str(_("Given at")),
            str(_("Member")),
            str(_("Member's mobile number")),
        ],
    )
    query = (
        select(ShippingAddress, Draw.id, PrizeTier.name, User.real_name, User.phone)
        .join(Draw, Draw.id == ShippingAddress.draw_id)
        .join(PrizeTier, PrizeTier.id == Draw.tier_id)
        .join(PrizePool, PrizePool.id == Draw.pool_id)
        .join(Enrollment, Enrollment.id == Draw.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .where(PrizePool.campaign_id == campaign.id)
        .order_by(ShippingAddress.submitted_at, ShippingAddress.id)
        .execution_options(yield_per=1000)
    )
    count = 0
    for address, draw_id, prize, real_name, phone in db.session.execute(query):
        shown = read_address(address)
        sheet.append(
            [
                draw_id,
                prize,
                shown.recipient,
                shown.phone,
                shown.address,
                cell_time(address.submitted_at),
                real_name or "",
                phone,
            ]
        )
        count += 1
    _audit_export(actor, campaign, "prizes.export_addresses", count)
    return saved_workbook(workbook)


def _audit_export(actor: User, campaign: Campaign, action: str, rows: int) -> None:
    record_audit(
        actor,
        action,
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        after={"rows": rows},
    )
