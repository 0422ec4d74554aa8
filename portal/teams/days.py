"""Team days (rules §7): whether a team qualified on a day, its standing today, and the settlement of every
team's day with the team points of the rules, paid once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, case, func, literal, select, update

from portal.campaigns.campaign import campaign_rules
from portal.database import insert_for
from portal.extensions import db
from portal.models.campaign import Campaign
from portal.models.points import PointEntry, PointReason
from portal.models.steps import DailyRecord
from portal.models.team import Team, TeamDay, TeamMember
from portal.rewards.points import LEDGER_COLUMNS
from portal.teams.team import members_of


def team_qualifies(member_steps: list[int], member_goal: int, team_goal: int) -> bool:
    """A team-qualified day (rules §7): every member reached the member goal and the team's total
    reached the team goal. A member with no report counts 0; a team with no members never qualifies."""
    if not member_steps:
        return False
    return _qualifies(min(member_steps), sum(member_steps), member_goal, team_goal)


def _qualifies(lowest: int, total: int, member_goal: int, team_goal: int) -> bool:
    """The rule on a team's aggregates (its lowest member and its total), as settlement computes them."""
    return lowest >= member_goal and total >= team_goal


@dataclass(frozen=True)
class MemberToday:
    member: TeamMember
    steps: int
    reached: bool


@dataclass(frozen=True)
class TeamToday:
    members: list[MemberToday]
    total: int
    qualified: bool


def team_today(team: Team, day: date) -> TeamToday:
    """Each member's counted steps of ``day`` against the member goal, and the team's total."""
    members = members_of(team)
    steps = dict(
        db.session.execute(
            select(DailyRecord.enrollment_id, DailyRecord.counted_steps).where(
                DailyRecord.enrollment_id.in_([member.enrollment_id for member in members]),
                DailyRecord.day == day,
            )
        ).all()
    )
    counted = [steps.get(member.enrollment_id, 0) for member in members]
    rows = [
        MemberToday(member, count, count >= team.member_goal)
        for member, count in zip(members, counted, strict=True)
    ]
    return TeamToday(rows, sum(counted), team_qualifies(counted, team.member_goal, team.team_goal))


def recount_team_days(campaign: Campaign) -> None:
    """Set each team's ``qualified_days`` from its settled days, in one grouped pass: a recount, so
    repeating it, or two settlements of a day at once, give the same figures."""
    counted = (
        select(
            TeamDay.team_id.label("team_id"),
            func.sum(case((TeamDay.qualified, 1), else_=0)).label("days"),
        )
        .join(Team, Team.id == TeamDay.team_id)
        .where(Team.campaign_id == campaign.id)
        .group_by(TeamDay.team_id)
        .subquery("counted")
    )
    db.session.execute(
        update(Team)
        .where(Team.id == counted.c.team_id, Team.qualified_days != counted.c.days)
        .values(qualified_days=counted.c.days)
        .execution_options(synchronize_session=False)
    )


def settle_team_days(campaign: Campaign, day: date, *, now: datetime) -> int:
    """Judge every team's ``day`` in one grouped query, store it (``team_days``), and pay each member of
    a qualified team the rules' points once (the ledger's key is the day). Returns the qualified teams."""
    rules = campaign_rules(campaign)
    if not rules.teams.enabled:
        return 0
    steps = func.coalesce(DailyRecord.counted_steps, 0)
    rows = db.session.execute(
        select(
            Team.id,
            Team.member_goal,
            Team.team_goal,
            func.count(TeamMember.id),
            func.sum(steps),
            func.min(steps),
        )
        .join(TeamMember, TeamMember.team_id == Team.id)
        .outerjoin(
            DailyRecord, and_(DailyRecord.enrollment_id == TeamMember.enrollment_id, DailyRecord.day == day)
        )
        .where(Team.campaign_id == campaign.id)
        .group_by(Team.id, Team.member_goal, Team.team_goal)
    ).all()
    days = [
        {
            "team_id": team_id,
            "day": day,
            "members": members,
            "counted_steps": int(total),
            "qualified": members > 0 and _qualifies(int(lowest), int(total), member_goal, team_goal),
            "settled_at": now,
        }
        for team_id, member_goal, team_goal, members, total, lowest in rows
    ]
    # One statement per batch (SQLAlchemy's insertmanyvalues), not one per team: 166,667 teams at a
    # million participants.
    statement = insert_for(db.engine.dialect.name, TeamDay)
    statement = statement.on_conflict_do_update(
        index_elements=["team_id", "day"],
        set_={
            name: statement.excluded[name] for name in ("members", "counted_steps", "qualified", "settled_at")
        },
    )
    for start in range(0, len(days), 5000):
        db.session.execute(statement, days[start : start + 5000])
    qualified_ids = [entry["team_id"] for entry in days if entry["qualified"]]
    points = rules.points.team_qualified_day
    if qualified_ids and points > 0:
        pay = insert_for(db.engine.dialect.name, PointEntry).from_select(
            LEDGER_COLUMNS,
            select(
                TeamMember.enrollment_id,
                literal(campaign.id),
                literal(PointReason.TEAM_DAY.value),
                literal(f"team-day:{day.isoformat()}"),
                literal(points),
                literal(day, type_=PointEntry.__table__.c.day.type),
                TeamMember.team_id,
                literal(now, type_=PointEntry.__table__.c.awarded_at.type),
            ).where(TeamMember.team_id.in_(qualified_ids)),
        )
        db.session.execute(
            pay.on_conflict_do_nothing(index_elements=["enrollment_id", "reason", "award_key"])
        )
    recount_team_days(campaign)
    return len(qualified_ids)
