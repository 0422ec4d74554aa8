"""Boards from real campaigns: live and snapshot agree, the team and unit boards, the member's own row
outside the top, scopes (my unit, my city), hidden names, swapping and freezing at the end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import inspect, text

from portal.boards.reading import Scope, read_board
from portal.boards.snapshots import drop_stale_snapshots, refresh_boards
from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.campaigns.rules import BoardKind
from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import Board, ReportSource, Team
from portal.models.base import utcnow
from portal.teams.team import create_team, join_team, set_goals
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local, walkers_at_one_instant
from tests.route_helpers import walk_days


@pytest.fixture
def snapshots(app):
    """Every campaign is read from its snapshot, as a large one is."""
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 0
    yield
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000


def walkers(campaign, make_user, units, pattern):
    """One member per ``(unit key, daily steps)`` of ``pattern``, tying where their figures are equal."""
    return walkers_at_one_instant(campaign, make_user, [(units[key], steps) for key, steps in pattern])


def test_live_and_snapshot_boards_agree(app, tree, make_user, snapshots):
    campaign = running_campaign(tree["js"], started_days_ago=3)
    people = walkers(
        campaign,
        make_user,
        tree,
        [("nj_company", [9000, 9000]), ("njmu", [9000, 9000]), ("njmu_unit", [20000, 1000]), ("njmu", [])],
    )
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000
    live = read_board(campaign, BoardKind.INDIVIDUAL, viewer=people[3], limit=10)
    assert live.live and live.updated_at is not None
    app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 0
    before = read_board(campaign, BoardKind.INDIVIDUAL, limit=10)
    assert (before.live, before.updated_at, before.rows) == (False, None, ())  # no snapshot yet
    result = refresh_boards(campaign)
    assert result is not None and result.rows == {"individual": 4} and not result.frozen
    snapshot = read_board(campaign, BoardKind.INDIVIDUAL, viewer=people[3], limit=10)
    assert not snapshot.live and snapshot.updated_at == result.computed_at
    assert snapshot.rows == live.rows and snapshot.mine == live.mine
    assert [row.rank for row in snapshot.rows][-1] == 4 and snapshot.mine.steps == 0


def test_own_row_outside_the_top_and_scopes(app, tree, make_user, snapshots):
    campaign = running_campaign(tree["js"], started_days_ago=3)
    people = walkers(
        campaign,
        make_user,
        tree,
        [
            ("nj_company", [9000, 9000]),
            ("njmu", [9000, 9000]),
            ("njmu", [9000, 9000]),
            ("nj_company", [9000, 1000]),
            ("njmu", [3000, 3000]),
        ],
    )
    refresh_boards(campaign)
    me = people[4]
    top = read_board(campaign, BoardKind.INDIVIDUAL, viewer=me, limit=2)
    assert [row.rank for row in top.rows] == [1, 1] and not top.mine_shown
    assert (top.mine.rank, top.mine.scope_rank) == (5, 5)
    mine_unit = read_board(campaign, BoardKind.INDIVIDUAL, viewer=me, scope=Scope.UNIT, limit=1)
    assert mine_unit.scope is Scope.UNIT
    assert [(row.rank, row.scope_rank) for row in mine_unit.rows] == [(1, 1)]
    assert (mine_unit.mine.rank, mine_unit.mine.scope_rank) == (5, 3)  # two of 南京医科大学工会 ahead
    second_page = read_board(campaign, BoardKind.INDIVIDUAL, viewer=me, scope=Scope.UNIT, limit=5, offset=1)
    assert [(row.rank, row.scope_rank) for row in second_page.rows] == [(1, 1), (5, 3)]  # the tie kept
    # "My city": 南京市总工会 holds 紫金公司工会; the university union is under the industry union.
    city = read_board(campaign, BoardKind.INDIVIDUAL, viewer=people[3], scope=Scope.CITY, limit=10)
    assert [(row.rank, row.scope_rank, row.unit) for row in city.rows] == [
        (1, 1, "紫金公司工会"),
        (4, 2, "紫金公司工会"),
    ]
    no_city = read_board(campaign, BoardKind.INDIVIDUAL, viewer=me, scope=Scope.CITY, limit=10)
    assert no_city.scope is Scope.ALL and len(no_city.rows) == 5  # a unit in no city union: the whole board


def test_a_hidden_name_still_counts_and_still_sees_its_rank(app, tree, make_user):
    campaign = running_campaign(tree["js"], started_days_ago=3)
    shy, _other = walkers(campaign, make_user, tree, [("njmu", [9000, 9000]), ("njmu", [9000])])
    shy.user.hide_from_boards = True
    db.session.commit()
    board = read_board(campaign, BoardKind.INDIVIDUAL, viewer=shy, limit=10)
    assert [(row.rank, row.name) for row in board.rows] == [(1, "匿名职工"), (2, "李*兰")]
    assert board.mine.rank == 1 and board.mine_shown


def test_team_board_from_settled_team_days(app, tree, make_user, snapshots):
    campaign = running_campaign(tree["sx"], "motherland-100", started_days_ago=5)

    def walker():
        return enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"])

    def team(name, members, member_goal, team_goal, steps):
        captain = walker()
        made = create_team(captain, name)
        set_goals(captain, made, member_goal, team_goal)
        others = [walker() for _ in range(members - 1)]
        for member in others:
            join_team(member, made)
        for member in (captain, *others):
            walk_days(member, [steps])
        return captain

    team("快队", 2, 6000, 12000, 10000)  # qualified; 10,000 a member
    team("稳队", 1, 6000, 6000, 9000)  # qualified; 9,000
    team("同队", 1, 6000, 6000, 9000)  # the same figures: the same rank
    slow = team("慢队", 1, 6000, 6000, 3000)  # not qualified
    for _ in range(2):  # settling again recounts: the same counts
        settle_day(campaign, today_local() - timedelta(days=1))
        db.session.commit()
        counts = dict(db.session.execute(db.select(Team.name, Team.qualified_days)).all())
        assert counts == {"快队": 1, "稳队": 1, "同队": 1, "慢队": 0}
    refresh_boards(campaign)
    board = read_board(campaign, BoardKind.TEAM, viewer=slow, limit=10)
    assert [(row.rank, row.team) for row in board.rows] == [
        (1, "快队"),
        (2, "稳队"),  # equal teams in the order they were made
        (2, "同队"),
        (4, "慢队"),
    ]
    fast = board.rows[0]
    assert (fast.members, fast.qualified_days, fast.steps_per_member) == (2, 1, 10000.0)
    assert fast.qualification_rate == round(1 / 6, 4)  # one team day of six campaign days so far
    assert board.mine.team == "慢队" and board.mine_shown
    page = read_board(campaign, BoardKind.TEAM, viewer=slow, limit=2, offset=2)
    assert [row.team for row in page.rows] == ["同队", "慢队"]
    current_app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000
    assert read_board(campaign, BoardKind.TEAM, limit=10).rows == board.rows


def test_unit_board_ranks_city_and_industry_unions_apart(app, tree, make_user, snapshots):
    campaign = running_campaign(tree["js"], "eco-walk", started_days_ago=3)
    campaign.rules = {**campaign.rules, "ranking": {"kinds": ["individual", "unit"]}}
    db.session.commit()
    walkers(campaign, make_user, tree, [("nj_company", [9000, 9000]), ("njmu", [9000]), ("njmu_unit", [])])
    refresh_boards(campaign)
    board = read_board(campaign, BoardKind.UNIT, limit=10)
    figures = [(row.group, row.rank, row.unit, row.members, row.active_members) for row in board.rows]
    assert figures == [
        ("city_union", 1, "南京市总工会", 1, 1),
        ("industry_union", 1, "江苏省教育科技工会", 2, 1),
    ]
    nanjing, education = board.rows
    assert nanjing.qualification_rate == round(2 / 4, 4) and nanjing.score == round(0.5 + 0.25, 4)
    assert education.participation_rate == 0.5 and education.qualification_rate == round(1 / 8, 4)
    current_app.config["BOARD_LIVE_MAX_PARTICIPANTS"] = 2000
    assert read_board(campaign, BoardKind.UNIT, limit=10).rows == board.rows


def test_a_refresh_swaps_and_keeps_one_previous_table(app, tree, make_user, snapshots):
    campaign = running_campaign(tree["js"], started_days_ago=3)
    (member,) = walkers(campaign, make_user, tree, [("njmu", [9000])])
    names = []
    for _ in range(3):
        refresh_boards(campaign)
        names.append(db.session.scalar(db.select(Board.table_name).where(Board.kind == "individual")))
    tables = {name for name in inspect(db.engine).get_table_names() if name.startswith("board_snap_")}
    assert tables == {names[1], names[2]}  # the current board and the one before; the first is gone
    assert drop_stale_snapshots(campaign) == []
    report_steps(member, day=today_local(), steps=12000, source=ReportSource.API)
    db.session.commit()
    assert read_board(campaign, BoardKind.INDIVIDUAL, limit=1).rows[0].steps == 9000  # until the refresh
    refresh_boards(campaign)
    assert read_board(campaign, BoardKind.INDIVIDUAL, limit=1).rows[0].steps == 21000


def test_the_first_refresh_after_the_last_day_is_settled_freezes_the_boards(app, tree, make_user):
    campaign = running_campaign(tree["js"], started_days_ago=6)  # a seven-day campaign: today is its last
    (member,) = walkers(campaign, make_user, tree, [("njmu", [9000, 9000, 9000, 0, 0, 0])])
    closes = day_closes_at(campaign.end_day, campaign_rules(campaign), campaign.timezone)
    after = closes + timedelta(hours=1)
    assert not refresh_boards(campaign, now=after).frozen  # the last day is not settled yet
    settle_day(campaign, campaign.end_day, now=after)
    db.session.commit()
    running = _board_tables()
    final = refresh_boards(campaign, now=after + timedelta(minutes=1))
    assert final.frozen
    postgresql = db.engine.dialect.name == "postgresql"
    # Running boards are rebuilt at every refresh, so PostgreSQL keeps them out of its WAL; final ones are
    # written like any table, so that a crash cannot lose them. (SQLite has no unlogged tables.)
    assert {_durable(name) for name in running} == {not postgresql}
    assert {_durable(name) for name in _board_tables()} == {True}
    frozen = read_board(campaign, BoardKind.INDIVIDUAL, viewer=member, limit=10)
    assert frozen.frozen and not frozen.live and frozen.updated_at == final.computed_at
    # A late correction after the end changes nothing on the final board, and no refresh runs again.
    report_steps(member, day=campaign.start_day, steps=20000, source=ReportSource.IMPORT, allow_closed=True)
    db.session.commit()
    assert refresh_boards(campaign, now=utcnow()) is None
    assert read_board(campaign, BoardKind.INDIVIDUAL, viewer=member, limit=10).rows == frozen.rows


def _board_tables() -> list[str]:
    return list(db.session.scalars(db.select(Board.table_name)))


def _durable(name: str) -> bool:
    """Whether the table survives a crash: PostgreSQL's UNLOGGED tables do not."""
    if db.engine.dialect.name != "postgresql":
        return True
    persistence = db.session.scalar(
        text("SELECT relpersistence FROM pg_class WHERE relname = :name"), {"name": name}
    )
    return persistence == "p"
