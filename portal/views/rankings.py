"""The ranking boards as members see them (SPEC §8); admins' Excel export is in ``campaign_admin``.

A board page shows the top 50 (or the rules' top N with ``show=all``), the member's own rank and row
wherever it is, the scope filters (whole board, my unit, my city) as plain links, and what the board is
ranked by. Its panel asks for itself again every ``BOARD_POLL_SECONDS`` (htmx); without JavaScript the
page is the same, refreshed by reloading.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.htmx import render
from portal.services.board_tables import board_cache
from portal.services.boards import BoardView, Scope, read_board
from portal.services.campaigns import campaign_rules
from portal.services.participation import campaign_for_viewer_or_404, get_campaign_for_member_or_404
from portal.services.rules import RankingKind
from portal.views.helpers import redirect_to

bp = Blueprint("rankings", __name__)

# The board partial: the top of the board the page refreshes in place.
PARTIAL_TOP = 50
KIND_NAMES = {
    RankingKind.INDIVIDUAL: _l("Individuals"),
    RankingKind.TEAM: _l("Teams"),
    RankingKind.UNIT: _l("Unions"),
}


def board_kind_or_404(campaign, kind: str) -> RankingKind:
    kinds = campaign_rules(campaign).ranking.kinds
    try:
        chosen = RankingKind(kind)
    except ValueError:
        abort(404)
    if chosen not in kinds:
        abort(404)
    return chosen


@bp.get("/campaigns/<id:campaign_id>/rankings/")
@login_required
def index(campaign_id: int):
    """The campaign's first board."""
    campaign = get_campaign_for_member_or_404(current_user, campaign_id)
    first = campaign_rules(campaign).ranking.kinds[0]
    return redirect_to("rankings.board", campaign_id=campaign.id, kind=str(first))


@bp.get("/campaigns/<id:campaign_id>/rankings/<kind>")
@login_required
def board(campaign_id: int, kind: str):
    """One board: its top, the member's own row, filters and what it is ranked by."""
    campaign, viewer = campaign_for_viewer_or_404(current_user, campaign_id)
    chosen = board_kind_or_404(campaign, kind)
    rules = campaign_rules(campaign)
    try:
        scope = Scope(request.args.get("scope", Scope.ALL))
    except ValueError:
        scope = Scope.ALL
    if viewer is None or chosen is RankingKind.UNIT:
        scope = Scope.ALL
    show_all = request.args.get("show") == "all"
    limit = rules.ranking.top_n if show_all else min(PARTIAL_TOP, rules.ranking.top_n)
    view = read_board(campaign, chosen, viewer=viewer, scope=scope, limit=limit)

    def link(scope_value: str, show: str | None) -> str:
        return url_for(
            "rankings.board",
            campaign_id=campaign.id,
            kind=str(chosen),
            scope=None if scope_value == Scope.ALL else scope_value,
            show=show,
        )

    kept = "all" if show_all else None
    links = {
        "all": link(Scope.ALL, kept),
        "unit": link(Scope.UNIT, kept),
        "city": link(Scope.CITY, kept),
        "this": link(view.scope, kept),
        "show_all": link(view.scope, "all"),
        "show_top": link(view.scope, None),
    }
    return render(
        "rankings/board.html",
        block="board_panel",
        campaign=campaign,
        rules=rules,
        kinds=rules.ranking.kinds,
        kind=chosen,
        view=view,
        viewer=viewer,
        has_city=view.viewer_city_id is not None,
        rows_html=rows_html(view, chosen),
        show_all=show_all,
        limit=limit,
        partial_top=PARTIAL_TOP,
        poll_seconds=current_app.config["BOARD_POLL_SECONDS"],
        links=links,
        kind_names=KIND_NAMES,
    )


def rows_html(view: BoardView, kind: RankingKind) -> Markup:
    """The board's rows as HTML, kept per snapshot page and language for as long as the rows themselves
    (``BOARD_ROWS_CACHE_SECONDS``); the viewer's own row is marked afterwards."""
    if kind is RankingKind.UNIT:
        return Markup("")
    key = (view.rows_key, str(get_locale())) if view.rows_key else None
    cache = board_cache("html")
    html = cache.get(key) if key else None
    if html is None:
        html = render_template("rankings/_rows.html", view=view, kind=kind)
        if key:
            cache[key] = html
    if view.mine is not None:
        mine = view.mine.enrollment_id if kind is RankingKind.INDIVIDUAL else view.mine.team_id
        html = html.replace(f'<li data-entry="{mine}">', f'<li data-entry="{mine}" class="mine">', 1)
    return Markup(html)
