"""Admins' prize work for a campaign: pools and what is left of them, voucher codes, the final-ranking
draws, the draw log, and the winners' and addresses' workbooks."""

from __future__ import annotations

from flask import Blueprint, flash
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from portal.common.errors import DomainError
from portal.models.base import utcnow
from portal.models.prizes import ChanceSource, PrizeKind
from portal.rewards.chances import grant_final_rank_chances
from portal.rewards.pools import (
    pool_of,
    pools_of,
    tier_of,
    update_no_prize_weight,
    update_tier,
    upload_codes,
)
from portal.rewards.prize_reports import (
    chances_per_pool,
    draw_log,
    drawn_per_pool,
    export_addresses,
    export_winners,
)
from portal.web.forms.rewards import CodesForm, GrantForm, NoPrizeForm, TierForm
from portal.web.helpers import (
    campaign_in_scope_or_404,
    int_arg,
    redirect_to,
    refused,
    require_admin_scope,
    show_domain_error,
    xlsx_response,
)
from portal.web.htmx import render

bp = Blueprint("prize_admin", __name__, url_prefix="/admin/campaigns/<id:campaign_id>/prizes")
bp.before_request(require_admin_scope)


def _forms(campaign, pools, failed: dict) -> dict:
    """Every form of the page by its prefix: the one that failed as posted, the others filled in."""
    forms = {}
    for pool in pools:
        forms[f"p{pool.id}"] = NoPrizeForm(formdata=None, prefix=f"p{pool.id}", weight=pool.no_prize_weight)
        for tier in pool.tiers:
            forms[f"e{tier.id}"] = TierForm(
                formdata=None, prefix=f"e{tier.id}", weight=tier.weight, stock=tier.stock
            )
            if tier.kind is PrizeKind.VOUCHER:
                forms[f"t{tier.id}"] = CodesForm(formdata=None, prefix=f"t{tier.id}")
    return {**forms, **failed}


def _page(campaign, *, failed: dict | None = None):
    pools = pools_of(campaign)
    return render(
        "prize_admin/pools.html",
        campaign=campaign,
        pools=pools,
        drawn=drawn_per_pool(campaign),
        chances=chances_per_pool(campaign),
        forms=_forms(campaign, pools, failed or {}),
        grant_form=GrantForm(),
        final_rank=ChanceSource.FINAL_RANK,
        status=422 if failed else 200,
    )


@bp.get("/")
def pools(campaign_id: int):
    """Every pool of the campaign: tiers, weights, stock and what is left, chances given and used."""
    return _page(campaign_in_scope_or_404(campaign_id))


def _submit(campaign, form, save, *, prefix: str, anchor: str):
    """Validate ``form``, run ``save`` (which returns the message to flash) and go back to the pool; a
    refusal shows the page again with this form as posted and its messages."""
    if form.validate_on_submit():
        try:
            message = save()
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(message, "success")
            return redirect_to("prize_admin.pools", campaign_id=campaign.id, _anchor=anchor)
    return _page(campaign, failed={prefix: form})


@bp.post("/tiers/<id:tier_id>/codes")
def codes(campaign_id: int, tier_id: int):
    """Upload voucher codes to a tier (pasted, one per line)."""
    campaign = campaign_in_scope_or_404(campaign_id)
    tier = tier_of(campaign, tier_id)  # another campaign's tier, or a forged id: 404
    prefix = f"t{tier.id}"
    form = CodesForm(prefix=prefix)

    def save() -> str:
        return _("%(n)d codes added.", n=upload_codes(current_user, campaign, tier, form.codes.data))

    return _submit(campaign, form, save, prefix=prefix, anchor=f"tier-{tier.id}")


@bp.post("/tiers/<id:tier_id>/edit")
def edit_tier(campaign_id: int, tier_id: int):
    """Change a prize's weight and stock (a voucher's stock is its codes)."""
    campaign = campaign_in_scope_or_404(campaign_id)
    tier = tier_of(campaign, tier_id)
    prefix = f"e{tier.id}"
    form = TierForm(prefix=prefix)

    def save() -> str:
        update_tier(current_user, campaign, tier, weight=form.weight.data, stock=form.stock.data)
        return _("Saved: %(name)s.", name=tier.name)

    return _submit(campaign, form, save, prefix=prefix, anchor=f"tier-{tier.id}")


@bp.post("/<id:pool_id>/edit")
def edit_pool(campaign_id: int, pool_id: int):
    """Change the weight of "no prize" in a pool."""
    campaign = campaign_in_scope_or_404(campaign_id)
    pool = pool_of(campaign, pool_id)
    prefix = f"p{pool.id}"
    form = NoPrizeForm(prefix=prefix)

    def save() -> str:
        update_no_prize_weight(current_user, campaign, pool, form.weight.data)
        return _("Saved: %(name)s.", name=pool.name)

    return _submit(campaign, form, save, prefix=prefix, anchor=f"pool-{pool.id}")


@bp.post("/final-rank")
def final_rank(campaign_id: int):
    """Give the top N of the final individual ranking their draw (once, after the last day is settled)."""
    campaign = campaign_in_scope_or_404(campaign_id)
    if GrantForm().validate_on_submit():
        try:
            granted = grant_final_rank_chances(current_user, campaign)
        except DomainError as error:
            flash(refused(error), "error")
        else:
            flash(_("%(n)d members got their draw.", n=granted), "success")
    return redirect_to("prize_admin.pools", campaign_id=campaign.id)


@bp.get("/draws")
def draws(campaign_id: int):
    """The latest draws with the roll and the weights that decided each."""
    campaign = campaign_in_scope_or_404(campaign_id)
    pool_ids = {pool.id for pool in pools_of(campaign)}
    chosen = int_arg("pool")
    chosen = chosen if chosen in pool_ids else None  # another campaign's pool or a forged id: all pools
    return render(
        "prize_admin/draws.html",
        campaign=campaign,
        pools=pools_of(campaign),
        chosen=chosen,
        lines=draw_log(campaign, pool_id=chosen),
    )


def _download(campaign_id: int, export, name: str):
    """An export as an .xlsx download named after the campaign and the time (the export is audited)."""
    campaign = campaign_in_scope_or_404(campaign_id)
    handle = export(current_user, campaign)
    return xlsx_response(handle, f"{name}-{campaign.id}-{format_datetime(utcnow(), 'yyyyMMdd-HHmm')}.xlsx")


@bp.get("/winners.xlsx")
def winners_export(campaign_id: int):
    """Every winning draw, with names, phones, units and codes, for paying and sending the prizes."""
    return _download(campaign_id, export_winners, "winners")


@bp.get("/addresses.xlsx")
def addresses_export(campaign_id: int):
    """The shipping addresses given for physical prizes."""
    return _download(campaign_id, export_addresses, "addresses")
