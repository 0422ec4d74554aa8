"""Reading the ranking boards (rules §8) for the pages, the API, the CLI and the exports.

Where a board is read from is chosen here, per campaign:
- **live** (computed on the fly, fresh to the second) while the campaign is small, at most
  ``BOARD_LIVE_MAX_PARTICIPANTS`` enrolments (2,000 by default), and its boards are not frozen;
- otherwise its **snapshot**, as of the last refresh (``board_snapshots``), with "updated at".
Both are the same SQL (``definitions``), so a campaign that grows from one to the other keeps its order.

A board page costs a fixed number of queries whatever the campaign's size: the pointer rows, the top
rows (names joined), and for the member their own row (and their rank within a scope).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from operator import attrgetter
from typing import NamedTuple

from sqlalchemy import Row, Select, and_, bindparam, null, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import FromClause

from portal.boards.definitions import (
    UnitFigures,
    city_above_unit,
    city_of_unit,
    days_so_far,
    individual_board,
    team_board,
    unit_standings,
)
from portal.boards.rows import (
    IndividualRow,
    Scope,
    TeamRow,
    UnitRow,
    individual_columns,
    individual_query,
    individual_row,
    rank_within,
    scope_clause,
    scope_ranks,
    team_columns,
    team_query,
    team_row,
    unit_row,
)
from portal.boards.tables import Snapshot, board_cache, current_snapshot, is_live, snapshot_table
from portal.campaigns.campaign import rules_as_text, rules_from_text
from portal.campaigns.day_rules import local_today
from portal.campaigns.rules import BoardKind, RuleSet
from portal.database import read_first
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
from portal.models.team import Team, TeamMember


@dataclass(frozen=True)
class BoardView:
    kind: BoardKind
    updated_at: datetime | None  # None: a large campaign's first snapshot is still being computed
    live: bool
    frozen: bool
    days_so_far: int
    scope: Scope
    rows: tuple = ()
    mine: IndividualRow | TeamRow | None = None  # the viewer's row (their team's on the team board)
    viewer_city_id: int | None = None  # the viewer's city union, if any (offers "my city")
    rows_key: tuple | None = None  # names this page of a snapshot's rows, for caches (None: live)

    @property
    def mine_shown(self) -> bool:
        # ``mine`` is the row itself when it is among the rows (``_board_view``)
        return self.mine is not None and any(row is self.mine for row in self.rows)


@dataclass(frozen=True)
class BoardSource:
    individual: FromClause | None
    team: FromClause | None
    unit: FromClause | None
    board: Snapshot | None
    live: bool
    days: int


def board_source(campaign: Campaign, now: datetime) -> BoardSource:
    snapshot = current_snapshot(campaign.id)
    if is_live(campaign.id, snapshot):
        individual = individual_board(campaign).subquery("individual_live")
        return BoardSource(
            individual=individual,
            team=team_board(campaign, individual).subquery("team_live"),
            unit=None,
            board=None,
            live=True,
            days=days_so_far(campaign, local_today(now, campaign.timezone)),
        )
    return snapshot_source(snapshot)


def snapshot_source(snapshot: Snapshot | None) -> BoardSource:
    tables = snapshot.tables if snapshot is not None else {}
    return BoardSource(
        individual=tables.get(BoardKind.INDIVIDUAL),
        team=tables.get(BoardKind.TEAM),
        unit=tables.get(BoardKind.UNIT),
        board=snapshot,
        live=False,
        days=snapshot.days_so_far if snapshot is not None else 0,
    )


class BoardViewer(NamedTuple):
    """What a board needs of the member reading it (an ``Enrollment`` serves as well)."""

    id: int  # their enrolment
    unit_id: int


@dataclass(frozen=True)
class OwnRow:
    """The viewer's row of the board (their team's on the team board; None when not on it) and the city
    union their unit belongs to (None also where it was not read: a poll that needs no city)."""

    values: Row | None
    city_id: int | None


def read_board(
    campaign: Campaign,
    kind: BoardKind,
    *,
    viewer: Enrollment | BoardViewer | None = None,
    scope: Scope = Scope.ALL,
    limit: int,
    offset: int = 0,
    now: datetime | None = None,
) -> BoardView:
    """The board's rows from ``offset`` (best first), with the viewer's own row wherever it is.

    The viewer's row is read first (it also gives their city); the page of rows of a snapshot is kept
    for ``BOARD_ROWS_CACHE_SECONDS`` per process (a snapshot never changes, only names may be hidden)."""
    now = now or utcnow()
    source = board_source(campaign, now)
    if kind is BoardKind.UNIT:
        return _unit_board_view(campaign, source, limit=limit, offset=offset, now=now)
    own = _own_row(source, kind, viewer) if viewer is not None else None
    return _board_view(source, kind, viewer, own, scope=scope, limit=limit, offset=offset, now=now)


def rows_shown(rules: RuleSet, *, top: int | None) -> int:
    """How many rows a board page shows: the rules' top N, or its first ``top``."""
    return rules.ranking.top_n if top is None else min(top, rules.ranking.top_n)


@dataclass(frozen=True)
class SessionBoard:
    view: BoardView
    rules: RuleSet
    limit: int  # the rows read (``rows_shown``)
    campaign_title: str


def read_board_for_session(
    campaign_id: int,
    kind: BoardKind,
    *,
    user_id: int,
    nonce: str,
    scope: Scope,
    top: int | None,
    read_city: bool = False,
) -> SessionBoard | None:
    """A snapshot board's first rows (``rows_shown``) for the member a session names, checked in the
    statement that reads their enrolment, the campaign's title and rules and their own row: one round
    trip, for the panel every open board page asks for each minute and for the board page itself. The
    viewer's city is read for the 本市 scope, or when ``read_city`` (the page offers that scope only to
    members in a city). None when it cannot be answered so (the unit board, a board computed live or not
    yet computed, a session no longer valid, a member not enrolled): the page then reads the board the
    ordinary way, which says why."""
    if kind is BoardKind.UNIT:
        return None
    snapshot = current_snapshot(campaign_id)
    if snapshot is None or is_live(campaign_id, snapshot):
        return None
    source = snapshot_source(snapshot)
    board = source.individual if kind is BoardKind.INDIVIDUAL else source.team
    if board is None:
        return None
    statement = _session_statement(kind, board.name, with_city=read_city or scope is Scope.CITY)
    found = read_first(statement, {"user_id": user_id, "campaign_id": campaign_id})
    if found is None or found.session_nonce != nonce:
        return None
    rules = rules_from_text(found.rules)
    limit = rows_shown(rules, top=top)
    viewer = BoardViewer(found.enrollment_id, found.unit_id)
    own = OwnRow(found[_SESSION_HEAD:] if found[_SESSION_HEAD] is not None else None, found.viewer_city)
    view = _board_view(source, kind, viewer, own, scope=scope, limit=limit, offset=0, now=utcnow())
    return SessionBoard(view=view, rules=rules, limit=limit, campaign_title=found.title)


_SESSION_HEAD = 6  # the columns of the session statement before the own row's (``head`` below)


@lru_cache(maxsize=64)
def _session_statement(kind: BoardKind, table: str, *, with_city: bool) -> Select:
    """Who the session names (their nonce), their enrolment in the campaign, its title and rules, their
    city (read only ``with_city``: finding it by path costs more than the rest) and their own row
    (outer-joined: none before their first snapshot), keyed by ``user_id`` and ``campaign_id``. Built
    once per snapshot table."""
    board = snapshot_table(kind, table)
    unit = aliased(Organisation, name="own_unit")
    city = city_above_unit(Enrollment.unit_id).scalar_subquery() if with_city else null()
    head = (
        User.session_nonce,
        Enrollment.id.label("enrollment_id"),
        Enrollment.unit_id,
        Campaign.title,
        rules_as_text().label("rules"),
        city.label("viewer_city"),
    )
    statement = (
        select(User)
        .join(
            Enrollment,
            and_(Enrollment.user_id == User.id, Enrollment.campaign_id == bindparam("campaign_id")),
        )
        .join(Campaign, Campaign.id == Enrollment.campaign_id)
        .where(User.id == bindparam("user_id"))
    )
    if kind is BoardKind.INDIVIDUAL:
        statement = statement.outerjoin(board, board.c.enrollment_id == Enrollment.id)
        own = individual_columns(board, User, unit)
    else:
        statement = statement.outerjoin(TeamMember, TeamMember.enrollment_id == Enrollment.id).outerjoin(
            board, board.c.team_id == TeamMember.team_id
        )
        statement = statement.outerjoin(Team, Team.id == board.c.team_id)
        own = team_columns(board, unit)
    return statement.outerjoin(unit, unit.id == board.c.unit_id).with_only_columns(*head, *own)


def _stamp(source: BoardSource, kind: BoardKind, now: datetime) -> dict:
    """What a board view says of where its rows come from."""
    return {
        "kind": kind,
        "updated_at": now if source.live else (source.board.computed_at if source.board else None),
        "live": source.live,
        "frozen": source.board is not None and source.board.frozen_at is not None,
        "days_so_far": source.days,
    }


def _own_row(source: BoardSource, kind: BoardKind, viewer: Enrollment | BoardViewer) -> OwnRow | None:
    """The viewer's row of the board and their city, one statement (two for a member in no team)."""
    board = source.individual if kind is BoardKind.INDIVIDUAL else source.team
    if board is None:
        return None
    if kind is BoardKind.INDIVIDUAL:
        query, key, mine_key = individual_query(board), board.c.enrollment_id, viewer.id
    else:
        query, key = team_query(board), board.c.team_id
        mine_key = db.session.scalar(select(TeamMember.team_id).where(TeamMember.enrollment_id == viewer.id))
    if mine_key is None:
        return OwnRow(None, viewer_city(viewer))
    city_column = city_of_unit().scalar_subquery().label("viewer_city")
    found = db.session.execute(
        query.add_columns(city_column).where(key == mine_key), {"unit_id": viewer.unit_id}
    ).first()
    if found is None:
        return OwnRow(None, viewer_city(viewer))
    return OwnRow(found, found.viewer_city)


def _board_view(
    source: BoardSource,
    kind: BoardKind,
    viewer: Enrollment | BoardViewer | None,
    own: OwnRow | None,
    *,
    scope: Scope,
    limit: int,
    offset: int,
    now: datetime,
) -> BoardView:
    """An individual or team board's page of rows and the viewer's own row, from what ``own`` read."""
    view = _stamp(source, kind, now)
    board = source.individual if kind is BoardKind.INDIVIDUAL else source.team
    if board is None:
        return BoardView(**view, scope=scope)
    if kind is BoardKind.INDIVIDUAL:
        page_query, key, make_row = individual_query, board.c.enrollment_id, individual_row
        row_key = attrgetter("enrollment_id")
    else:
        page_query, key = team_query, board.c.team_id
        make_row, row_key = partial(team_row, days=source.days), attrgetter("team_id")
    city = own.city_id if own is not None else None
    scope, scope_value = _resolve_scope(viewer, scope, city)
    in_scope = scope_clause(board, scope, scope_value)

    def read_page() -> tuple:
        query = page_query(board)  # built only when read: building costs more than a cached page
        paged = query.where(in_scope) if in_scope is not None else query
        found = db.session.execute(paged.order_by(board.c.rank, key).limit(limit).offset(offset)).all()
        ranks = [int(values[0]) for values in found]
        if in_scope is None:
            scoped = ranks
        else:
            first = rank_within(board, in_scope, ranks[0]) if found and offset else None
            scoped = scope_ranks(ranks, offset, first)
        return tuple(make_row(values, scope_rank) for values, scope_rank in zip(found, scoped, strict=True))

    cache_key = (board.name, scope, scope_value, limit, offset) if not source.live else None
    rows = _kept_rows(cache_key, read_page)
    mine = None
    if own is not None and own.values is not None:
        mine_key = own.values[1]  # the enrolment's or the team's id
        mine = next((row for row in rows if row_key(row) == mine_key), None)
        if mine is None:
            rank = int(own.values[0])
            mine = make_row(own.values, rank_within(board, in_scope, rank) if in_scope is not None else rank)
    return BoardView(**view, scope=scope, rows=rows, mine=mine, viewer_city_id=city, rows_key=cache_key)


def _kept_rows(key: tuple | None, read: Callable[[], tuple]) -> tuple:
    """A page of a snapshot's rows as this process keeps it (``board_cache``), read when it keeps none
    (``key`` None: a live board, read every time)."""
    rows = board_cache("rows").get(key) if key else None
    if rows is None:
        rows = read()
        if key:
            board_cache("rows")[key] = rows
    return rows


def viewer_city(viewer: Enrollment) -> int | None:
    """The city union the viewer's unit belongs to (None outside every city union)."""
    return db.session.scalar(city_of_unit(), {"unit_id": viewer.unit_id})


def _resolve_scope(viewer: Enrollment | None, scope: Scope, city: int | None) -> tuple[Scope, int | None]:
    """The scope shown and its unit or city: the whole board without a viewer, or for a unit in no city."""
    if viewer is None or scope is Scope.ALL:
        return Scope.ALL, None
    if scope is Scope.UNIT:
        return Scope.UNIT, viewer.unit_id
    return (Scope.CITY, city) if city is not None else (Scope.ALL, None)


def _unit_board_view(
    campaign: Campaign, source: BoardSource, *, limit: int, offset: int, now: datetime
) -> BoardView:
    """The unit board (whole, in its groups: it has no scopes and no viewer's row). A snapshot's page of
    it is kept per process like the other boards' (``board_cache``), which also lets its panel be kept
    and its poll be answered 304 (``views/panel_tags``)."""
    cache_key = None
    if not source.live and source.unit is not None:
        cache_key = (source.unit.name, Scope.ALL, None, limit, offset)
    rows = _kept_rows(cache_key, lambda: tuple(_unit_rows(campaign, source)[offset : offset + limit]))
    return BoardView(**_stamp(source, BoardKind.UNIT, now), scope=Scope.ALL, rows=rows, rows_key=cache_key)


def _unit_rows(campaign: Campaign, source: BoardSource) -> list[UnitRow]:
    if source.live:
        ranked = unit_standings(campaign, source.individual, source.days)
    elif source.unit is not None:
        ranked = [
            (int(rank), UnitFigures(unit_id, kind, int(members), int(active), int(qualified)))
            for rank, kind, unit_id, members, active, qualified in db.session.execute(
                select(source.unit).order_by(source.unit.c.kind, source.unit.c.rank, source.unit.c.unit_id)
            )
        ]
    else:
        return []
    names = dict(
        db.session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.id.in_([entry.unit_id for _rank, entry in ranked])
            )
        ).all()
    )
    return [unit_row(rank, entry, names.get(entry.unit_id, ""), source.days) for rank, entry in ranked]
