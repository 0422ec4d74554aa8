"""Points and prizes as a member meets them (积分与抽奖): the balance and every entry explained, badges,
draw chances with their deadlines, drawing (the result swapped in place by htmx), prizes won, voucher
codes and the shipping address of a physical prize."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.participation import enrollment_for_member
from portal.common.errors import DomainError
from portal.labels import label
from portal.models.prizes import ChanceSource, DrawOutcome, PrizeKind
from portal.rewards.badges import badges_of
from portal.rewards.chances import chances_of, redeem_points
from portal.rewards.draws import code_of, draw, draws_of, get_pool_or_error
from portal.rewards.earning import catch_up_member
from portal.rewards.points import ledger_of, points_of
from portal.rewards.pools import pool_for
from portal.rewards.shipping import AddressInput, address_of, get_draw_of_member, submit_address
from portal.web.forms.rewards import AddressForm, DrawForm, RedeemForm
from portal.web.helpers import redirect_to, refused, show_domain_error
from portal.web.htmx import is_htmx, render

bp = Blueprint("rewards", __name__, url_prefix="/campaigns/<id:campaign_id>/rewards")


def _context(campaign, enrollment, **extra):
    entries = chances_of(enrollment)
    return {
        "campaign": campaign,
        "enrollment": enrollment,
        "rules": campaign_rules(campaign),
        "balance": points_of(enrollment),
        "ledger": ledger_of(enrollment),
        "badges": badges_of(enrollment),
        "pools": entries,
        "points_pool": pool_for(campaign.id, ChanceSource.POINTS),
        "draws": draws_of(enrollment),
        "redeem_form": RedeemForm(),
        "draw_form": DrawForm(),
        "result": None,
        **extra,
    }


@bp.get("/")
@login_required
def show(campaign_id: int):
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    catch_up_member(enrollment)  # badges just completed, today's chances from check-ins made elsewhere
    return render("rewards/show.html", **_context(campaign, enrollment))


@bp.post("/redeem")
@login_required
def redeem(campaign_id: int):
    """Spend points on one chance of the points pool."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    if RedeemForm().validate_on_submit():
        try:
            redeem_points(enrollment)
        except DomainError as error:
            flash(refused(error), "error")
        else:
            flash(_("Redeemed: one more draw chance."), "success")
    return redirect_to("rewards.show", campaign_id=campaign.id, _anchor="chances")


def result_message(record) -> str:
    if record.outcome is DrawOutcome.WON:
        return _("You won: %(prize)s!", prize=record.tier.name)
    return _("No prize this time. Thank you for taking part!")


@bp.post("/pools/<id:pool_id>/draw")
@login_required
def draw_in_pool(campaign_id: int, pool_id: int):
    """Draw once in a pool; htmx swaps the pool's panel with the result, a plain form gets the page."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    form = DrawForm()
    result = None
    try:
        if not form.validate_on_submit():
            raise DomainError(_("The form has expired. Reload the page and try again."))
        pool = get_pool_or_error(campaign, pool_id)
        chance_id = form.chance_id.data
        record = draw(enrollment, pool, int(chance_id) if chance_id and chance_id.isdigit() else None)
    except DomainError as error:
        result = {"category": "error", "text": refused(error), "draw": None}
    else:
        result = {
            "category": "success" if record.outcome is DrawOutcome.WON else "info",
            "text": result_message(record),
            "draw": record,
        }
    if not is_htmx():
        flash(result["text"], result["category"])
        return redirect_to("rewards.show", campaign_id=campaign.id, _anchor=f"pool-{pool_id}")
    context = _context(campaign, enrollment, result=result)
    entry = next((item for item in context["pools"] if item.pool.id == pool_id), None)
    if entry is None:
        abort(404)
    # The pool's panel in place, and the list of the member's draws brought up to date beside it.
    return render("rewards/show.html", block="pool", oob=["prizes"], entry=entry, **context)


@bp.route("/prizes/<id:draw_id>", methods=["GET", "POST"])
@login_required
def prize(campaign_id: int, draw_id: int):
    """A prize won: its code, or the shipping address (given once, then shown, never changed)."""
    campaign, enrollment = enrollment_for_member(current_user, campaign_id)
    try:
        record = get_draw_of_member(enrollment, draw_id)
    except DomainError:
        abort(404)
    if record.outcome is not DrawOutcome.WON:
        abort(404)
    form = AddressForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            submit_address(
                enrollment,
                record.id,
                AddressInput(form.recipient.data, form.phone.data, form.address.data),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Address saved. The prize will be sent to it."), "success")
            return redirect_to("rewards.prize", campaign_id=campaign.id, draw_id=record.id)
    return render(
        "rewards/prize.html",
        campaign=campaign,
        draw=record,
        kind_label=label(record.tier.kind),
        code=code_of(record) if record.tier.kind is PrizeKind.VOUCHER else None,
        address=address_of(record),
        form=form,
        status=422 if form.errors or form.form_errors else 200,
    )
