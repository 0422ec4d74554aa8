"""The team board (SPEC §8): qualification rate ↓, then steps per member ↓, ties sharing a rank, checked
against a brute-force reference with campaigns full of ties; and the board from real teams."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from portal.extensions import db
from portal.services.rankings import TeamFigures, rank_teams, team_ranking
from portal.services.settlement import settle_day
from portal.services.teams import create_team, join_team, set_goals
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.route_helpers import walk_days

teams_strategy = st.lists(
    st.builds(
        TeamFigures,
        team=st.text(alphabet="甲乙丙丁", min_size=1, max_size=3),
        unit=st.just("单位"),
        members=st.integers(1, 6),
        qualified_days=st.integers(0, 3),  # few values: many ties
        counted_steps=st.sampled_from([0, 6000, 12000, 18000, 36000]),
    ),
    max_size=12,
)


@given(teams=teams_strategy, days=st.integers(1, 100))
def test_team_board_agrees_with_a_brute_force_reference(teams, days):
    rows = rank_teams(teams, days)

    def merit(entry):
        return (Fraction(entry.qualified_days, days), Fraction(entry.counted_steps, entry.members))

    # A rank is 1 + the number of strictly better teams; rows come best first.
    for row in rows:
        assert row.rank == 1 + sum(1 for other in teams if merit(other) > merit(row))
    assert [row.rank for row in rows] == sorted(row.rank for row in rows)
    assert len(rows) == len(teams)


def test_team_board_from_settled_team_days(app, tree, make_user):
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

    team("快队", 2, 6000, 12000, 10000)  # qualified; 10,000 a member
    team("稳队", 1, 6000, 6000, 9000)  # qualified; 9,000
    team("同队", 1, 6000, 6000, 9000)  # the same figures: the same rank
    team("慢队", 1, 6000, 6000, 3000)  # not qualified
    settle_day(campaign, today_local() - timedelta(days=1))
    db.session.commit()
    _updated, rows = team_ranking(campaign, today=today_local(), limit=10, offset=0)
    assert [(row.rank, row.team) for row in rows] == [(1, "快队"), (2, "同队"), (2, "稳队"), (4, "慢队")]
    fast = rows[0]
    assert (fast.members, fast.qualified_days, fast.steps_per_member) == (2, 1, 10000.0)
    assert fast.qualification_rate == round(1 / 6, 4)  # one team day of six campaign days so far
    _updated, page = team_ranking(campaign, today=today_local(), limit=2, offset=2)
    assert [row.team for row in page] == ["稳队", "慢队"]
