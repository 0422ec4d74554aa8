"""Rankings (SPEC §8). For now the individual, team and unit boards from simple queries; the rankings
issue (7) makes boards fast at a million participants, with a refresh interval and frozen final boards.

Individual order (seed 002): qualified days ↓, check-in days ↓, counted steps ↓ (total cap applied),
time of last sync ↑. Ties on all four share a rank (1, 2, 2, 4), which SQL's RANK() gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
from portal.models.steps import Checkin, DailyRecord
from portal.models.team import Team, TeamDay, TeamMember
from portal.services.campaigns import campaign_rules


def mask_name(name: str | None) -> str:
    """张*明 for public boards: the first and last character stay."""
    if not name:
        return "*"
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def public_name(real_name: str | None, hidden: bool) -> str:
    """How a member is named where others can see: masked (张*明), or 匿名职工 if they chose to hide."""
    return str(_("Anonymous member")) if hidden else mask_name(real_name)


@dataclass(frozen=True)
class IndividualRow:
    rank: int
    name: str
    unit: str
    phone: str
    qualified_days: int
    checkin_days: int
    steps: int
    last_synced_at: datetime | None


def individual_ranking(
    campaign: Campaign, *, limit: int, offset: int
) -> tuple[datetime, list[IndividualRow]]:
    rules = campaign_rules(campaign)
    days = (
        select(
            DailyRecord.enrollment_id.label("enrollment_id"),
            func.sum(case((DailyRecord.qualified, 1), else_=0)).label("qualified_days"),
            func.sum(DailyRecord.counted_steps).label("steps"),
            func.max(DailyRecord.received_at).label("last_synced_at"),
        )
        .where(DailyRecord.campaign_id == campaign.id)
        .group_by(DailyRecord.enrollment_id)
        .subquery()
    )
    checkins = (
        select(Checkin.enrollment_id.label("enrollment_id"), func.count().label("checkin_days"))
        .join(Enrollment, Enrollment.id == Checkin.enrollment_id)
        .where(Enrollment.campaign_id == campaign.id)
        .group_by(Checkin.enrollment_id)
        .subquery()
    )
    qualified = func.coalesce(days.c.qualified_days, 0).cast(Integer)
    checked = func.coalesce(checkins.c.checkin_days, 0).cast(Integer)
    raw_steps = func.coalesce(days.c.steps, 0).cast(Integer)
    steps = (
        case((raw_steps > rules.total_cap, rules.total_cap), else_=raw_steps)
        if rules.total_cap
        else raw_steps
    )
    # Never synced sorts after everyone who did.
    never = case((days.c.last_synced_at.is_(None), 1), else_=0)
    order = (qualified.desc(), checked.desc(), steps.desc(), never, days.c.last_synced_at.asc())
    query = (
        select(
            func.rank().over(order_by=order).label("rank"),
            User.real_name,
            User.hide_from_boards,
            User.phone,
            Organisation.name,
            qualified,
            checked,
            steps,
            days.c.last_synced_at,
        )
        .select_from(Enrollment)
        .join(User, User.id == Enrollment.user_id)
        .join(Organisation, Organisation.id == Enrollment.unit_id)
        .outerjoin(days, days.c.enrollment_id == Enrollment.id)
        .outerjoin(checkins, checkins.c.enrollment_id == Enrollment.id)
        .where(Enrollment.campaign_id == campaign.id)
        .order_by(*order, Enrollment.id)
        .limit(limit)
        .offset(offset)
    )
    rows = [
        IndividualRow(
            rank=rank,
            name=public_name(name, hidden),
            unit=unit,
            phone=phone,
            qualified_days=qualified_days,
            checkin_days=checkin_days,
            steps=total,
            last_synced_at=last,
        )
        for rank, name, hidden, phone, unit, qualified_days, checkin_days, total, last in db.session.execute(
            query
        )
    ]
    return utcnow(), rows


@dataclass(frozen=True)
class UnitRow:
    rank: int  # within its group
    group: str  # the kind of union: city unions are ranked among themselves, industry unions too
    unit: str
    members: int
    active_members: int
    participation_rate: float
    qualification_rate: float
    score: float


def unit_ranking(
    campaign: Campaign, *, today: date, limit: int, offset: int
) -> tuple[datetime, list[UnitRow]]:
    """The unions directly below the campaign's union, each counting every member enrolled in its
    subtree, ranked within their kind (SPEC §8, seed 000): participation = enrolled members with any
    record ÷ enrolled members; qualification = qualified days ÷ (enrolled members × campaign days so far);
    score = half of each. Members enrolled for the campaign's own union are on no unit's board."""
    days = days_so_far(campaign, today)
    per_member = (
        select(
            Organisation.path.label("path"),
            func.count(DailyRecord.id).label("records"),
            func.coalesce(func.sum(case((DailyRecord.qualified, 1), else_=0)), 0).label("qualified"),
        )
        .select_from(Enrollment)
        .join(Organisation, Organisation.id == Enrollment.unit_id)
        .outerjoin(DailyRecord, DailyRecord.enrollment_id == Enrollment.id)
        .where(Enrollment.campaign_id == campaign.id)
        .group_by(Enrollment.id, Organisation.path)
        .subquery()
    )
    unit = aliased(Organisation)
    query = (
        select(
            unit.id,
            unit.name,
            unit.kind,
            func.count(per_member.c.path),
            func.coalesce(func.sum(case((per_member.c.records > 0, 1), else_=0)), 0),
            func.coalesce(func.sum(per_member.c.qualified), 0),
        )
        .select_from(unit)
        .outerjoin(per_member, per_member.c.path.startswith(unit.path))
        .where(unit.parent_id == campaign.organisation_id)
        .group_by(unit.id, unit.name, unit.kind)
    )
    scored = []
    for _id, name, kind, members, active, qualified in db.session.execute(query):
        members, active, qualified = int(members), int(active), int(qualified)  # PostgreSQL sums: Decimal
        participation = active / members if members else 0.0
        qualification = qualified / (members * days) if members and days else 0.0
        scored.append((kind, name, members, active, participation, qualification))
    rows: list[UnitRow] = []
    for kind in sorted({entry[0] for entry in scored}):
        group = sorted((entry for entry in scored if entry[0] == kind), key=lambda e: (-(e[4] + e[5]), e[1]))
        for position, (_kind, name, members, active, participation, qualification) in enumerate(group):
            score = round(0.5 * participation + 0.5 * qualification, 4)
            tied = rows and rows[-1].group == kind and rows[-1].score == score
            rows.append(
                UnitRow(
                    rank=rows[-1].rank if tied else position + 1,
                    group=kind,
                    unit=name,
                    members=members,
                    active_members=active,
                    participation_rate=round(participation, 4),
                    qualification_rate=round(qualification, 4),
                    score=score,
                )
            )
    return utcnow(), rows[offset : offset + limit]


def days_so_far(campaign: Campaign, today: date) -> int:
    """Campaign days up to today (0 before the start, the campaign's length after its end)."""
    return max(0, (min(today, campaign.end_day) - campaign.start_day).days + 1)


@dataclass(frozen=True)
class TeamFigures:
    team: str
    unit: str
    members: int
    qualified_days: int  # team-qualified days settled so far
    counted_steps: int  # the members' counted steps, each member's total cap applied


@dataclass(frozen=True)
class TeamRow:
    rank: int
    team: str
    unit: str
    members: int
    qualified_days: int
    qualification_rate: float
    counted_steps: int
    steps_per_member: float


def rank_teams(teams: list[TeamFigures], days: int) -> list[TeamRow]:
    """The team board (SPEC §8, seed 001): team qualification rate (team-qualified days ÷ campaign days so
    far) ↓, then steps per member (the team's counted steps ÷ its members) ↓. Teams equal on both share a
    rank (1, 2, 2, 4); the comparison is exact (fractions), the figures shown are rounded. The days so far
    are the same for every team, so the rate orders as the qualified days do."""

    def merit(entry: TeamFigures) -> tuple[int, Fraction]:
        return entry.qualified_days, Fraction(entry.counted_steps, entry.members or 1)

    ordered = sorted(teams, key=lambda entry: (tuple(-value for value in merit(entry)), entry.team))
    rows: list[TeamRow] = []
    previous = None
    for position, entry in enumerate(ordered, start=1):
        rank = rows[-1].rank if merit(entry) == previous else position
        previous = merit(entry)
        rows.append(
            TeamRow(
                rank=rank,
                team=entry.team,
                unit=entry.unit,
                members=entry.members,
                qualified_days=entry.qualified_days,
                qualification_rate=round(entry.qualified_days / days, 4) if days else 0.0,
                counted_steps=entry.counted_steps,
                steps_per_member=round(entry.counted_steps / entry.members, 1) if entry.members else 0.0,
            )
        )
    return rows


def team_ranking(
    campaign: Campaign, *, today: date, limit: int, offset: int
) -> tuple[datetime, list[TeamRow]]:
    """Every team of the campaign with its figures, in three grouped queries, ranked by ``rank_teams``."""
    rules = campaign_rules(campaign)
    member_steps = (
        select(
            DailyRecord.enrollment_id.label("enrollment_id"),
            func.sum(DailyRecord.counted_steps).label("steps"),
        )
        .where(DailyRecord.campaign_id == campaign.id)
        .group_by(DailyRecord.enrollment_id)
        .subquery()
    )
    raw = func.coalesce(member_steps.c.steps, 0)
    capped = case((raw > rules.total_cap, rules.total_cap), else_=raw) if rules.total_cap else raw
    steps = dict(
        db.session.execute(
            select(TeamMember.team_id, func.coalesce(func.sum(capped), 0))
            .join(Team, Team.id == TeamMember.team_id)
            .outerjoin(member_steps, member_steps.c.enrollment_id == TeamMember.enrollment_id)
            .where(Team.campaign_id == campaign.id)
            .group_by(TeamMember.team_id)
        ).all()
    )
    qualified = dict(
        db.session.execute(
            select(TeamDay.team_id, func.count())
            .join(Team, Team.id == TeamDay.team_id)
            .where(Team.campaign_id == campaign.id, TeamDay.qualified)
            .group_by(TeamDay.team_id)
        ).all()
    )
    teams = [
        TeamFigures(
            team=name,
            unit=unit,
            members=members,
            qualified_days=int(qualified.get(team_id, 0)),
            counted_steps=int(steps.get(team_id, 0)),  # PostgreSQL sums are Decimal
        )
        for team_id, name, unit, members in db.session.execute(
            select(Team.id, Team.name, Organisation.name, Team.member_count)
            .join(Organisation, Organisation.id == Team.unit_id)
            .where(Team.campaign_id == campaign.id)
        )
    ]
    return utcnow(), rank_teams(teams, days_so_far(campaign, today))[offset : offset + limit]
