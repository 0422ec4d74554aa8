"""Teams (rules §7): creating one, joining by invitation or request, captains' powers, team-qualified days.

A team holds at most its campaign's ``teams.size`` members: six unless the campaign's rules say otherwise
(the default of ``Teams.size`` in ``portal/campaigns/rules.py``, 2–50).

The size limit holds under concurrent joins because the count is raised by one conditional statement,
``UPDATE teams SET member_count = member_count + 1 WHERE id = … AND member_count < size``: on PostgreSQL
the row lock makes racing joins wait and then re-check the condition, so the seventh finds the team full.
The membership row is written in the same savepoint, so a refused join leaves no trace.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from portal.campaigns.campaign import campaign_rules, campaign_started
from portal.campaigns.day_rules import local_today
from portal.campaigns.errors import CampaignNotOpen
from portal.campaigns.rules import RuleSet
from portal.common.codes import normalise_code, readable_code
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.points import PointReason
from portal.models.team import JoinRequestStatus, Team, TeamAnnouncement, TeamJoinRequest, TeamMember
from portal.rewards.points import award_points
from portal.teams.errors import (
    AlreadyInTeam,
    AlreadyRequested,
    CannotLeaveTeam,
    InvalidAnnouncement,
    InvalidGoals,
    InvalidInviteCode,
    InvalidTeamName,
    NotCaptain,
    RequestNotPending,
    TeamFull,
    TeamNameTaken,
    TeamOfAnotherCampaign,
    TeamsNotEnabled,
)

MAX_GOAL = 100_000
INVITE_CODE_LENGTH = 6


def team_rules(campaign: Campaign) -> RuleSet:
    """The campaign's rules, or ``TeamsNotEnabled`` when they have no teams."""
    rules = campaign_rules(campaign)
    if not rules.teams.enabled:
        raise TeamsNotEnabled()
    return rules


def team_of(enrollment: Enrollment) -> Team | None:
    return db.session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.enrollment_id == enrollment.id)
    )


def members_of(team: Team) -> list[TeamMember]:
    return list(
        db.session.scalars(
            select(TeamMember)
            .where(TeamMember.team_id == team.id)
            .order_by(TeamMember.joined_at, TeamMember.id)
        )
    )


def is_captain(enrollment: Enrollment, team: Team) -> bool:
    return team.captain_id == enrollment.id


def _require_captain(enrollment: Enrollment, team: Team) -> None:
    if not is_captain(enrollment, team):
        raise NotCaptain()


def _require_open(campaign: Campaign) -> None:
    if local_today(utcnow(), campaign.timezone) > campaign.end_day:
        raise CampaignNotOpen()


def create_team(enrollment: Enrollment, name: str, slogan: str = "") -> Team:
    """A new team with ``enrollment`` as its captain and first member."""
    campaign = enrollment.campaign
    rules = team_rules(campaign)
    _require_open(campaign)
    name, slogan = (name or "").strip(), (slogan or "").strip()[:60]
    if not 1 <= len(name) <= 30:
        raise InvalidTeamName()
    if team_of(enrollment) is not None:
        raise AlreadyInTeam()
    if db.session.scalar(select(Team.id).where(Team.campaign_id == campaign.id, Team.name == name)):
        raise TeamNameTaken()
    team = Team(
        campaign_id=campaign.id,
        unit_id=enrollment.unit_id,
        name=name,
        slogan=slogan,
        captain_id=enrollment.id,
        invite_code=readable_code(INVITE_CODE_LENGTH),
        member_count=1,
        member_goal=rules.teams.member_goal,
        team_goal=rules.teams.team_goal,
    )
    try:
        with db.session.begin_nested():
            db.session.add(team)
            db.session.flush()
            db.session.add(TeamMember(team_id=team.id, enrollment_id=enrollment.id))
    except IntegrityError:  # a concurrent team of the same name or the same member, or a code taken
        if team_of(enrollment) is not None:
            raise AlreadyInTeam() from None
        raise TeamNameTaken() from None
    return team


def find_team_by_code(code: str | None) -> Team | None:
    code = normalise_code(code)
    if not code or len(code) > 12:
        return None
    return db.session.scalar(select(Team).where(Team.invite_code == code))


def team_by_code_or_error(code: str | None) -> Team:
    team = find_team_by_code(code)
    if team is None:
        raise InvalidInviteCode()
    return team


def join_team(enrollment: Enrollment, team: Team, *, now: datetime | None = None) -> TeamMember:
    """Join ``team``: refused when it is full, of another campaign, or the member has a team already."""
    if team.campaign_id != enrollment.campaign_id:
        raise TeamOfAnotherCampaign()
    rules = team_rules(enrollment.campaign)
    _require_open(enrollment.campaign)
    if team_of(enrollment) is not None:
        raise AlreadyInTeam()
    size = rules.teams.size
    now = now or utcnow()
    try:
        with db.session.begin_nested():
            raised = db.session.execute(
                update(Team)
                .where(Team.id == team.id, Team.member_count < size)
                .values(member_count=Team.member_count + 1)
                .execution_options(synchronize_session=False)
            )
            if raised.rowcount != 1:
                raise TeamFull()
            member = TeamMember(team_id=team.id, enrollment_id=enrollment.id, joined_at=now)
            db.session.add(member)
            db.session.flush()
    except IntegrityError:  # the same member joined another team at the same moment
        raise AlreadyInTeam() from None
    _pay_captain_when_first_full(team, size, rules, now)
    db.session.refresh(team)
    return member


def _pay_captain_when_first_full(team: Team, size: int, rules: RuleSet, now: datetime) -> None:
    """The captain's task (rules §7): 20 points the first time the team is full, once ever."""
    marked = db.session.execute(
        update(Team)
        .where(Team.id == team.id, Team.member_count >= size, Team.full_at.is_(None))
        .values(full_at=now)
        .execution_options(synchronize_session=False)
    )
    if marked.rowcount == 1:
        captain = db.session.get(
            Enrollment, db.session.scalar(select(Team.captain_id).where(Team.id == team.id))
        )
        award_points(captain, PointReason.CAPTAIN_TASK, f"team:{team.id}", rules.points.captain_full_team)


def leave_team(enrollment: Enrollment) -> None:
    """Leave before the campaign starts. A captain hands over first; a captain alone closes the team."""
    team = team_of(enrollment)
    if team is None:
        return
    campaign = enrollment.campaign
    if campaign_started(campaign):
        raise CannotLeaveTeam(_("The campaign has started: members can no longer leave their team."))
    if is_captain(enrollment, team):
        if team.member_count > 1:
            raise CannotLeaveTeam(_("Hand the captaincy to another member before you leave."))
        db.session.delete(team)
        db.session.flush()
        return
    db.session.execute(delete(TeamMember).where(TeamMember.enrollment_id == enrollment.id))
    db.session.execute(
        update(Team)
        .where(Team.id == team.id)
        .values(member_count=Team.member_count - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(team)


def set_goals(enrollment: Enrollment, team: Team, member_goal: int | None, team_goal: int | None) -> None:
    """The captain's member and team daily goals: reachable under the rules' cap and size."""
    _require_captain(enrollment, team)
    rules = team_rules(enrollment.campaign)
    ceiling = min(rules.daily_cap or MAX_GOAL, MAX_GOAL)
    if member_goal is None or not 1 <= member_goal <= ceiling:
        raise InvalidGoals(_("The member goal must be 1 to %(max)d steps.", max=ceiling))
    team_ceiling = ceiling * rules.teams.size
    if team_goal is None or not member_goal <= team_goal <= team_ceiling:
        raise InvalidGoals(
            _("The team goal must be %(low)d to %(high)d steps.", low=member_goal, high=team_ceiling),
            field="team_goal",
        )
    team.member_goal, team.team_goal = member_goal, team_goal


def post_announcement(enrollment: Enrollment, team: Team, text: str) -> TeamAnnouncement:
    _require_captain(enrollment, team)
    text = (text or "").strip()
    if not 1 <= len(text) <= 500:
        raise InvalidAnnouncement()
    announcement = TeamAnnouncement(team_id=team.id, author_id=enrollment.id, text=text)
    db.session.add(announcement)
    return announcement


def announcements_of(team: Team, *, limit: int = 20) -> list[TeamAnnouncement]:
    return list(
        db.session.scalars(
            select(TeamAnnouncement)
            .where(TeamAnnouncement.team_id == team.id)
            .order_by(TeamAnnouncement.created_at.desc(), TeamAnnouncement.id.desc())
            .limit(limit)
        )
    )


def hand_over(enrollment: Enrollment, team: Team, new_captain_id: int) -> None:
    """The captain makes another member of the team captain."""
    _require_captain(enrollment, team)
    member = db.session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.enrollment_id == new_captain_id)
    )
    if member is None or new_captain_id == enrollment.id:
        raise NotCaptain(_("Choose another member of your team."))
    team.captain_id = new_captain_id


def teams_with_room(enrollment: Enrollment) -> list[Team]:
    """Teams of the member's unit in this campaign that still have room."""
    size = team_rules(enrollment.campaign).teams.size
    return list(
        db.session.scalars(
            select(Team)
            .where(
                Team.campaign_id == enrollment.campaign_id,
                Team.unit_id == enrollment.unit_id,
                Team.member_count < size,
            )
            .order_by(Team.member_count.desc(), Team.id)
            .limit(50)
        )
    )


def request_to_join(enrollment: Enrollment, team: Team) -> TeamJoinRequest:
    if team.campaign_id != enrollment.campaign_id:
        raise TeamOfAnotherCampaign()
    if team_of(enrollment) is not None:
        raise AlreadyInTeam()
    if team.member_count >= team_rules(enrollment.campaign).teams.size:
        raise TeamFull()
    request = TeamJoinRequest(team_id=team.id, enrollment_id=enrollment.id)
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:
        raise AlreadyRequested() from None
    return request


def pending_requests(team: Team) -> list[TeamJoinRequest]:
    return list(
        db.session.scalars(
            select(TeamJoinRequest)
            .where(TeamJoinRequest.team_id == team.id, TeamJoinRequest.status == JoinRequestStatus.PENDING)
            .order_by(TeamJoinRequest.created_at)
        )
    )


def teams_asked_by(enrollment: Enrollment) -> set[int]:
    """The teams the member has asked to join and that have not answered yet."""
    return set(
        db.session.scalars(
            select(TeamJoinRequest.team_id).where(
                TeamJoinRequest.enrollment_id == enrollment.id,
                TeamJoinRequest.status == JoinRequestStatus.PENDING,
            )
        )
    )


def decide_request(enrollment: Enrollment, team: Team, request: TeamJoinRequest, *, accept: bool) -> None:
    """The captain accepts (the requester joins, if there is still room) or declines a request."""
    _require_captain(enrollment, team)
    if request.team_id != team.id or request.status is not JoinRequestStatus.PENDING:
        raise RequestNotPending()
    if accept:
        join_team(request.enrollment, team)
    request.status = JoinRequestStatus.ACCEPTED if accept else JoinRequestStatus.DECLINED
    request.decided_at = utcnow()
