"""The ranking boards as members see them (rules §8); admins' Excel export is in ``campaign_admin``.

A board page shows the top 50 (or the rules' top N with ``show=all``), the member's own rank and row
wherever it is, the scope filters (whole board, my unit, my city) as plain links, and what the board is
ranked by. Its panel asks for itself again every ``BOARD_POLL_SECONDS`` (htmx); without JavaScript the
page is the same, refreshed by reloading.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from portal.boards.reading import (
    BoardView,
    Scope,
    SessionBoard,
    read_board,
    read_board_for_session,
    rows_shown,
)
from portal.boards.tables import board_cache
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.participation import campaign_for_member, campaign_for_viewer
from portal.campaigns.rules import BoardKind, RuleSet
from portal.models.campaign import Campaign
from portal.web.fast_paths import signed_in_claim
from portal.web.helpers import redirect_to
from portal.web.htmx import htmx_target, is_htmx, render
from portal.web.panel_tags import (
    KeptFrame,
    answer_conditionally,
    frame_key,
    keep_frame,
    not_modified,
    panel_tag,
    unchanged_tag,
    viewer_mark,
)
from portal.web.security import keep_session_cookie

bp = Blueprint("boards", __name__)

# The board partial: the top of the board the page refreshes in place.
PARTIAL_TOP = 50
KIND_NAMES = {
    BoardKind.INDIVIDUAL: _l("Individuals"),
    BoardKind.TEAM: _l("Teams"),
    BoardKind.UNIT: _l("Units"),
}
KIND_BY_NAME = {str(kind): kind for kind in BoardKind}


def board_kind_or_404(campaign, kind: str) -> BoardKind:
    chosen = KIND_BY_NAME.get(kind)
    if chosen is None or chosen not in campaign_rules(campaign).ranking.kinds:
        abort(404)
    return chosen


@bp.get("/campaigns/<id:campaign_id>/rankings/", defaults={"kind": None})
@bp.get("/campaigns/<id:campaign_id>/rankings/<kind>")
def old_address(campaign_id: int, kind: str | None):
    """The boards' addresses before 2026-12-08 (a member's bookmark), sent on to the same board."""
    endpoint, values = ("boards.board", {"kind": kind}) if kind else ("boards.index", {})
    query = request.query_string.decode("latin-1")  # passed on as it came, whatever it holds
    target = url_for(endpoint, campaign_id=campaign_id, **values)
    return redirect(f"{target}?{query}" if query else target, code=301)


@bp.get("/campaigns/<id:campaign_id>/boards/")
@login_required
def index(campaign_id: int):
    """The campaign's first board."""
    campaign = campaign_for_member(current_user, campaign_id)
    first = campaign_rules(campaign).ranking.kinds[0]
    return redirect_to("boards.board", campaign_id=campaign.id, kind=str(first))


@bp.get("/campaigns/<id:campaign_id>/boards/<kind>")
def board(campaign_id: int, kind: str):
    """One board: its top, the member's own row, filters and what it is ranked by. The poll of an open
    page for its panel is answered from one statement when it can be (``panel_for_session``)."""
    if _is_panel_poll():
        keep_session_cookie()  # a poll: the page asks by itself, the member did nothing
        claimed = signed_in_claim()
        if claimed is not None:
            chosen = KIND_BY_NAME.get(kind)
            unchanged = chosen and unchanged_tag(campaign_id, chosen, claimed, show_all=_shows_all())
            if unchanged:
                return not_modified(unchanged)  # a repeat poll, its panel as it was (panel_tags)
            panel = panel_for_session(campaign_id, kind, claimed)
            if panel is not None:
                return panel
    return board_page(campaign_id, kind)


def _is_panel_poll() -> bool:
    return is_htmx() and htmx_target() == "board_panel"


@login_required
def board_page(campaign_id: int, kind: str):
    """The whole page. For a member enrolled in a campaign whose boards are snapshots, the board, the
    campaign's title and rules and the member's own row and city come from the poll's one statement
    (``read_board_for_session``); anything else (not enrolled, a live or unit board, none computed yet)
    is read the ordinary way, which also refuses or explains."""
    found = _board_for_member(campaign_id, kind, current_user.id, current_user.session_nonce, read_city=True)
    if found is not None:
        chosen, board = found
        heading = CampaignHeading(campaign_id, board.campaign_title)
        return _page(heading, chosen, board.rules, board.view, enrolled=True, limit=board.limit)
    campaign, viewer = campaign_for_viewer(current_user, campaign_id)
    chosen = board_kind_or_404(campaign, kind)
    rules = campaign_rules(campaign)
    scope = asked_scope() if viewer is not None and chosen is not BoardKind.UNIT else Scope.ALL
    limit = rows_shown(rules, top=None if _shows_all() else PARTIAL_TOP)
    view = read_board(campaign, chosen, viewer=viewer, scope=scope, limit=limit)
    if _is_panel_poll() and view.rows_key is not None:  # the unit board's poll, or an onlooker's
        claimed = (current_user.id, current_user.session_nonce)
        return _tagged_panel(
            campaign.id, chosen, rules, view, claimed, enrolled=viewer is not None, limit=limit
        )
    return _page(campaign, chosen, rules, view, enrolled=viewer is not None, limit=limit)


class CampaignHeading(NamedTuple):
    """What the board page shows of its campaign (a ``Campaign`` serves as well)."""

    id: int
    title: str


def _page(
    campaign: Campaign | CampaignHeading,
    kind: BoardKind,
    rules: RuleSet,
    view: BoardView,
    *,
    enrolled: bool,
    limit: int,
) -> str:
    """The board page around its panel (``panel_html``)."""
    show_all = _shows_all()
    kept = "all" if show_all else None
    links = {
        "all": board_link(campaign.id, kind, Scope.ALL, kept),
        "unit": board_link(campaign.id, kind, Scope.UNIT, kept),
        "city": board_link(campaign.id, kind, Scope.CITY, kept),
    }
    panel = panel_html(
        view, kind, rules, campaign_id=campaign.id, enrolled=enrolled, show_all=show_all, limit=limit
    )
    return render(
        "boards/board.html",
        block="board_panel",
        campaign=campaign,
        rules=rules,
        kinds=rules.ranking.kinds,
        kind=kind,
        view=view,
        enrolled=enrolled,
        has_city=view.viewer_city_id is not None,
        panel_html=panel,
        links=links,
        kind_names=KIND_NAMES,
    )


def panel_for_session(campaign_id: int, kind: str, claimed: tuple[int, str]) -> Response | None:
    """The panel of a snapshot board for the member the session names (``claimed``: their id and
    nonce), read in one statement that also checks the session (``read_board_for_session``), with the
    tag a repeat poll sends back (``panel_tags``). None when that cannot answer: the ordinary page then
    does (and signs in, refuses or says why)."""
    found = _board_for_member(campaign_id, kind, *claimed)
    if found is None:
        return None
    chosen, board = found
    return _tagged_panel(
        campaign_id, chosen, board.rules, board.view, claimed, enrolled=True, limit=board.limit
    )


def _tagged_panel(
    campaign_id: int,
    kind: BoardKind,
    rules: RuleSet,
    view: BoardView,
    claimed: tuple[int, str],
    *,
    enrolled: bool,
    limit: int,
) -> Response:
    """A snapshot board's panel (its frame is kept: ``view.rows_key``) as a poll's answer, with the tag a
    repeat poll sends back, or 304 when the poll sent that tag (``panel_tags``)."""
    panel = assemble_panel(
        view, kind, rules, campaign_id=campaign_id, enrolled=enrolled, show_all=_shows_all(), limit=limit
    )
    tag = panel_tag(view.rows_key, panel.frame, viewer_mark(*claimed), panel.viewer_parts)
    return answer_conditionally(make_response(panel.html), tag)


def _board_for_member(
    campaign_id: int, kind: str, user_id: int, nonce: str, *, read_city: bool = False
) -> tuple[BoardKind, SessionBoard] | None:
    """The board ``kind`` names as ``read_board_for_session`` reads it for this member, when it can, and
    when the campaign ranks that kind."""
    chosen = KIND_BY_NAME.get(kind)
    if chosen is None:
        return None
    found = read_board_for_session(
        campaign_id,
        chosen,
        user_id=user_id,
        nonce=nonce,
        scope=asked_scope(),
        top=None if _shows_all() else PARTIAL_TOP,
        read_city=read_city,
    )
    if found is None or chosen not in found.rules.ranking.kinds:
        return None
    return chosen, found


def _shows_all() -> bool:
    return request.args.get("show") == "all"


def asked_scope() -> Scope:
    try:
        return Scope(request.args.get("scope", Scope.ALL))
    except ValueError:
        return Scope.ALL


def board_link(campaign_id: int, kind: BoardKind, scope: Scope, show: str | None) -> str:
    return url_for(
        "boards.board",
        campaign_id=campaign_id,
        kind=str(kind),
        scope=None if scope == Scope.ALL else scope,
        show=show,
    )


# Where the viewer's parts go in a kept panel: comments, which no escaped name or unit can spell.
MINE_SLOT, OWN_SLOT = "<!--mine-->", "<!--own-->"


class Panel(NamedTuple):
    html: Markup
    frame: KeptFrame  # all but the viewer's parts (kept, unless the board is live)
    viewer_parts: str  # what was put in for the viewer


def panel_html(
    view: BoardView, kind: BoardKind, rules, *, campaign_id: int, enrolled: bool, show_all: bool, limit: int
) -> Markup:
    """The board panel (``assemble_panel``)."""
    return assemble_panel(
        view, kind, rules, campaign_id=campaign_id, enrolled=enrolled, show_all=show_all, limit=limit
    ).html


def assemble_panel(
    view: BoardView, kind: BoardKind, rules, *, campaign_id: int, enrolled: bool, show_all: bool, limit: int
) -> Panel:
    """The board panel: everything but the viewer's parts is rendered once per snapshot page, scope and
    language and kept as long as the rows (``BOARD_ROWS_CACHE_SECONDS``); the viewer's rank, their own
    row and the mark on their row among the rows are put in per request."""
    key = frame_key(view.rows_key, show_all) if view.rows_key else None
    cache = board_cache("html")
    frame = cache.get(key) if key else None
    if frame is None:
        kept = "all" if show_all else None
        frame = keep_frame(
            render_template(
                "boards/_panel.html",
                view=view,
                kind=kind,
                kind_name=KIND_NAMES[kind],
                rules=rules,
                mine_html=Markup(MINE_SLOT),
                own_html=Markup(OWN_SLOT),
                this_link=board_link(campaign_id, kind, view.scope, kept),
                show_all_link=board_link(campaign_id, kind, view.scope, "all"),
                show_top_link=board_link(campaign_id, kind, view.scope, None),
                show_all=show_all,
                limit=limit,
                partial_top=PARTIAL_TOP,
                poll_seconds=current_app.config["BOARD_POLL_SECONDS"],
            )
        )
        if key:
            cache[key] = frame
    html = frame.html
    mine = ""
    if view.mine is not None:
        mine = view.mine.enrollment_id if kind is BoardKind.INDIVIDUAL else view.mine.team_id
        html = html.replace(f'<li data-entry="{mine}">', f'<li data-entry="{mine}" class="mine">', 1)
    my_rank = get_template_attribute("boards/_mine.html", "my_rank")(view, kind, enrolled, campaign_id)
    my_row = get_template_attribute("boards/_mine.html", "my_row")(view, kind)
    html = html.replace(MINE_SLOT, my_rank, 1).replace(OWN_SLOT, my_row, 1)
    return Panel(Markup(html), frame, f"{mine}{my_rank}{my_row}")
