"""The union admin's dashboard (rules §11): participation against quota for a campaign, node by
node down the admin's tree, with daily charts, the same table as Excel, and the ranking boards' rows of
the node's subtree as Excel (for admins of unions below the campaign's, too).

Drilling down is plain links (``?org=``), so the page works without JavaScript and every level has its
own address to share; the charts are drawn by ``static/js/dashboard.js`` from JSON in the page.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import format_datetime
from flask_login import current_user

from portal.boards.export import boards_too_large, check_exportable, export_board
from portal.campaigns.campaign import campaign_rules
from portal.common.errors import DomainError
from portal.dashboard.exports import export_participation
from portal.dashboard.reading import (
    ChildOrder,
    breadcrumb,
    dashboard_campaign,
    dashboard_campaigns,
    dashboard_node,
    read_dashboard,
    starting_nodes,
)
from portal.models.base import utcnow
from portal.web.boards import board_kind_or_404
from portal.web.exports import start_board_export
from portal.web.helpers import int_arg, page_arg, refused, require_admin_scope, xlsx_response
from portal.web.htmx import render

bp = Blueprint("dashboard", __name__, url_prefix="/admin/dashboard")
bp.before_request(require_admin_scope)


@bp.get("/")
def index():
    """The campaigns this admin can watch; straight to the dashboard when there is only one."""
    campaigns = dashboard_campaigns(g.scope)
    if len(campaigns) == 1:
        return redirect(url_for("dashboard.show", campaign_id=campaigns[0].id))
    return render("dashboard/index.html", campaigns=campaigns)


def _campaign_and_node(campaign_id: int):
    """The campaign the admin watches and the node asked for (``?org=``) or their starting node."""
    campaign = dashboard_campaign(g.scope, campaign_id)
    return campaign, dashboard_node(g.scope, campaign, int_arg("org"))


def _order() -> ChildOrder:
    try:
        return ChildOrder(request.args.get("order", ChildOrder.TREE))
    except ValueError:
        return ChildOrder.TREE


@bp.get("/<id:campaign_id>")
def show(campaign_id: int):
    """One node's figures and its children's, against their quotas."""
    campaign, node = _campaign_and_node(campaign_id)
    dashboard = read_dashboard(campaign, node, now=utcnow(), page=page_arg(), order=_order())
    return render(
        "dashboard/show.html",
        dashboard=dashboard,
        ancestors=breadcrumb(g.scope, node),
        chart_data=dashboard.chart_data(),
        board_kinds=campaign_rules(campaign).ranking.kinds,
        boards_too_large=boards_too_large(campaign, current_app.config["BOARD_EXPORT_MAX_ROWS"]),
        starts=starting_nodes(g.scope, campaign),
    )


@bp.get("/<id:campaign_id>/participation.xlsx")
def participation_export(campaign_id: int):
    """The dashboard's table for one node, every child on one sheet (the export is audited)."""
    campaign, node = _campaign_and_node(campaign_id)
    now = utcnow()
    dashboard = read_dashboard(campaign, node, now=now, page=None, order=_order())
    handle = export_participation(current_user, dashboard)
    stamp = format_datetime(now, "yyyyMMdd-HHmm")
    return xlsx_response(handle, f"participation-{campaign.id}-{node.code}-{stamp}.xlsx")


@bp.get("/<id:campaign_id>/boards/<kind>.xlsx")
def ranking_export(campaign_id: int, kind: str):
    """A ranking board's rows of the node's subtree, each with its rank on the whole board (audited)."""
    campaign, node = _campaign_and_node(campaign_id)
    chosen = board_kind_or_404(campaign, kind)
    try:
        check_exportable(campaign, chosen, current_app.config["BOARD_EXPORT_MAX_ROWS"])
    except DomainError as error:
        flash(refused(error), "error")
        return redirect(url_for("dashboard.show", campaign_id=campaign.id, org=node.id))
    written = export_board(current_user, campaign, chosen, within=node)
    stamp = format_datetime(utcnow(), "yyyyMMdd-HHmm")
    return xlsx_response(written.handle, f"ranking-{campaign.id}-{chosen}-{node.code}-{stamp}.xlsx")


@bp.post("/<id:campaign_id>/boards/<kind>/export")
def ranking_export_in_background(campaign_id: int, kind: str):
    """Have the node's rows of a board too large for a page request written in the background."""
    campaign, node = _campaign_and_node(campaign_id)
    return start_board_export(campaign, board_kind_or_404(campaign, kind), within=node)
