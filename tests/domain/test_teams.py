"""Teams (rules §7): creating, joining, the size limit, captains' powers, leaving, requests, and
team-qualified days with their points, against a reference of the rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import PointEntry, PointReason, Team, TeamDay, TeamMember
from portal.rewards.points import points_of
from portal.teams.days import team_qualifies, team_today
from portal.teams.errors import (
    AlreadyInTeam,
    AlreadyRequested,
    CannotLeaveTeam,
    InvalidAnnouncement,
    InvalidGoals,
    InvalidInviteCode,
    InvalidTeamName,
    NotCaptain,
    TeamFull,
    TeamNameTaken,
    TeamOfAnotherCampaign,
    TeamsNotEnabled,
)
from portal.teams.team import (
    create_team,
    decide_request,
    hand_over,
    join_team,
    leave_team,
    post_announcement,
    request_to_join,
    set_goals,
    team_by_code_or_error,
    teams_with_room,
)
from portal.workflows.campaign_setup import create_campaign
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
from tests.route_helpers import walk_days


@pytest.fixture
def walkers(app, tree, make_user):
    """A motherland-100 campaign (teams of 6) and a maker of enrolled members of 西安市总工会."""
    campaign = running_campaign(tree["sx"], "motherland-100", started_days_ago=5)

    def make(campaign=campaign):
        return enrolled(member_of(make_user(), tree["xa"]), campaign, tree["xa"])

    return campaign, make


@given(
    steps=st.lists(st.integers(0, 20_000), max_size=8),
    member_goal=st.integers(1, 20_000),
    team_goal=st.integers(1, 120_000),
)
def test_team_qualification_agrees_with_a_reference(steps, member_goal, team_goal):
    reference = len(steps) > 0 and all(s >= member_goal for s in steps) and sum(steps) >= team_goal
    assert team_qualifies(steps, member_goal, team_goal) is reference


def test_create_join_and_the_size_limit(walkers):
    _campaign, make = walkers
    captain = make()
    team = create_team(captain, "秦岭健步队", "一起走")
    db.session.commit()
    assert (team.member_count, team.captain_id, team.member_goal, team.team_goal) == (
        1,
        captain.id,
        6000,
        36000,
    )
    assert len(team.invite_code) == 6 and team_by_code_or_error(team.invite_code.lower()) is team
    with pytest.raises(InvalidInviteCode):
        team_by_code_or_error("NOPE99")
    for _ in range(5):
        join_team(make(), team)
    db.session.commit()
    assert team.member_count == 6 and team.full_at is not None
    with pytest.raises(TeamFull):
        join_team(make(), team)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(TeamMember)) == 6
    assert points_of(captain) == 20  # the captain's task, once
    with pytest.raises(AlreadyInTeam):
        create_team(captain, "另一个队")


def test_names_campaigns_and_teams_being_on(walkers, tree, make_user):
    _campaign, make = walkers
    first = make()
    team = create_team(first, "渭河队")
    db.session.commit()
    with pytest.raises(TeamNameTaken):
        create_team(make(), "渭河队")
    with pytest.raises(InvalidTeamName):
        create_team(make(), "   ")
    other_campaign = running_campaign(tree["sx"], "motherland-100")
    stranger = make(other_campaign)
    with pytest.raises(TeamOfAnotherCampaign):
        join_team(stranger, team)
    no_teams = running_campaign(tree["edu"])
    teacher = enrolled(member_of(make_user(), tree["njmu"]), no_teams, tree["njmu"])
    with pytest.raises(TeamsNotEnabled):
        create_team(teacher, "教师队")


def test_captain_powers_and_members_cannot_use_them(walkers):
    _campaign, make = walkers
    captain, member = make(), make()
    team = create_team(captain, "华山队")
    join_team(member, team)
    with pytest.raises(NotCaptain):
        set_goals(member, team, 7000, 40000)
    with pytest.raises(NotCaptain):
        post_announcement(member, team, "我来发公告")
    with pytest.raises(InvalidGoals):
        set_goals(captain, team, 12000, 60000)  # above the daily cap of 10,000: no member could reach it
    with pytest.raises(InvalidGoals):
        set_goals(captain, team, 8000, 7000)
    with pytest.raises(InvalidGoals):
        set_goals(captain, team, 8000, 70000)  # six members at the cap make 60,000 at most
    set_goals(captain, team, 8000, 45000)
    with pytest.raises(InvalidAnnouncement):
        post_announcement(captain, team, "")
    post_announcement(captain, team, "明早七点城墙集合")
    with pytest.raises(NotCaptain):
        hand_over(captain, team, captain.id)
    hand_over(captain, team, member.id)
    assert team.captain_id == member.id and (team.member_goal, team.team_goal) == (8000, 45000)


def test_leaving_only_before_the_start(app, tree, make_user):
    later = create_campaign(
        None, tree["sx"], preset="motherland-100", start_day=today_local() + timedelta(days=3), publish=True
    )
    db.session.commit()
    captain = enrolled(member_of(make_user(), tree["xa"]), later, tree["xa"])
    member = enrolled(member_of(make_user(), tree["xa"]), later, tree["xa"])
    team = create_team(captain, "出发前")
    join_team(member, team)
    with pytest.raises(CannotLeaveTeam):
        leave_team(captain)  # hand over first
    leave_team(member)
    assert team.member_count == 1
    leave_team(captain)  # alone: the team closes
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Team)) == 0


def test_no_leaving_after_the_start(walkers):
    _campaign, make = walkers
    captain, member = make(), make()
    team = create_team(captain, "已出发")
    join_team(member, team)
    with pytest.raises(CannotLeaveTeam):
        leave_team(member)


def test_discovering_and_asking(walkers):
    _campaign, make = walkers
    captain, asker = make(), make()
    team = create_team(captain, "找队友")
    db.session.commit()
    assert teams_with_room(asker) == [team]
    request = request_to_join(asker, team)
    with pytest.raises(AlreadyRequested):
        request_to_join(asker, team)
    with pytest.raises(NotCaptain):
        decide_request(asker, team, request, accept=True)
    decide_request(captain, team, request, accept=True)
    assert team.member_count == 2


def test_settlement_marks_team_days_and_pays_once(walkers):
    campaign, make = walkers
    members = [make() for _ in range(6)]
    team = create_team(members[0], "百日队")
    for member in members[1:]:
        join_team(member, team)
    yesterday = today_local() - timedelta(days=1)
    for member in members:
        walk_days(member, [6500])  # 6 × 6,500 = 39,000 ≥ 36,000
    settle_day(campaign, yesterday)
    settle_day(campaign, yesterday)  # again: nothing paid twice
    db.session.commit()
    day = db.session.scalar(select(TeamDay))
    assert (day.members, day.counted_steps, day.qualified) == (6, 39000, True)
    team_points = (
        select(func.count()).select_from(PointEntry).where(PointEntry.reason == PointReason.TEAM_DAY)
    )
    assert db.session.scalar(team_points) == 6
    assert team_today(team, yesterday).qualified
    walk_days(members[-1], [5000, 5999])  # one member short the day before: the team does not qualify
    settle_day(campaign, yesterday - timedelta(days=1))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(TeamDay).where(TeamDay.qualified)) == 1
