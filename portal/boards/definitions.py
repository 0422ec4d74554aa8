"""What each ranking board is (rules §8): its figures, its order and its ties, as SQL that the snapshot
refresh runs as ``CREATE TABLE … AS`` and that small campaigns run on the fly (``portal/boards/reading.py``
chooses). One definition per board, so the two can never disagree.

- **Individual** (seed 002): qualified days ↓, check-in days ↓, counted steps ↓ (the total cap applied),
  time of last sync ↑ (never synced last). Equal on all four: one rank (1, 2, 2, 4), which RANK() gives.
- **Team** (seed 001): qualification rate (team-qualified days ÷ campaign days so far) ↓, then steps per
  member (the members' counted steps ÷ members) ↓. The days so far are the same for every team, so the
  rate orders as the qualified days do. Steps per member are compared as doubles: IEEE division is
  correctly rounded, so equal fractions give equal doubles, and two different fractions with at most
  ``Teams.size`` (≤ 50) members differ by at least 1/2,500, far above a double's precision.
- **Unit** (seed 000), within each kind of union: score = ½ participation + ½ qualification, where
  participation = members with any record ÷ enrolled members and qualification = qualified days ÷
  (enrolled members × campaign days so far). Few rows, so ranked here in Python on exact fractions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Float, Integer, Select, and_, bindparam, case, cast, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, FromClause

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.settled_totals import cutoff_of, day_figures
from portal.extensions import db
from portal.models.board import EnrollmentTotals
from portal.models.campaign import Campaign, Enrollment
from portal.models.org import Organisation, OrgKind
from portal.models.team import Team, TeamMember


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


def days_so_far(campaign: Campaign, today: date) -> int:
    """Campaign days up to today (0 before the start, the campaign's length after its end)."""
    return max(0, (min(today, campaign.end_day) - campaign.start_day).days + 1)


def city_above(unit, city) -> ColumnElement[bool]:
    """``city`` is the city union (市总工会) above ``unit`` (two aliases of Organisation): by path prefix."""
    return and_(city.kind == OrgKind.CITY_UNION, unit.path.startswith(city.path))


def places(campaign: Campaign, unit_ids) -> FromClause:
    """For each of ``unit_ids`` (a list or a select of them): its city union (市总工会, for "my city") and
    the union directly below the campaign's union that contains it (its row on the unit board), both
    found by path prefix among a few thousand units at most."""
    unit, city, top = (aliased(Organisation, name=name) for name in ("unit", "city", "top"))
    used = select(Organisation.id).where(Organisation.id.in_(unit_ids)).subquery("used")
    # Driven by the units in use (not the whole tree): each is matched against the few city unions and
    # the unions directly below the campaign's.
    return (
        select(
            unit.id.label("unit_id"),
            func.max(city.id).label("city_id"),  # a unit has at most one city union above it
            func.max(top.id).label("ranked_unit_id"),
        )
        .select_from(used)
        .join(unit, unit.id == used.c.id)
        .outerjoin(city, city_above(unit, city))
        .outerjoin(top, and_(top.parent_id == campaign.organisation_id, unit.path.startswith(top.path)))
        .group_by(unit.id)
        .subquery("places")
    )


@cache
def city_of_unit() -> Select:
    """The city union above the unit bound as ``unit_id`` (None outside every city union); built once,
    since building it costs more than running it."""
    return city_above_unit(bindparam("unit_id"))


def city_above_unit(unit_id: ColumnElement) -> Select:
    """The city union above the unit ``unit_id`` (a parameter, or a column it correlates to)."""
    unit, city = aliased(Organisation, name="unit"), aliased(Organisation, name="city")
    return (
        select(func.max(city.id))
        .select_from(unit)
        .join(city, city_above(unit, city))
        .where(unit.id == unit_id)
    )


def individual_order(qualified, checked, steps, last_synced_at) -> tuple[ColumnElement, ...]:
    never = case((last_synced_at.is_(None), 1), else_=0)  # never synced sorts after everyone who did
    return (qualified.desc(), checked.desc(), steps.desc(), never, last_synced_at.asc())


def individual_board(campaign: Campaign, through_day: date | None = None) -> Select:
    """Every enrolment of the campaign with its figures and its rank: its totals over the closed days
    up to the campaign's cutoff (``settled_totals``), plus one grouped pass over the daily records and
    one over the check-ins after it.

    ``through_day`` is the cutoff as the caller read it in the same snapshot (the refresh: a literal
    lets the planner see how few days are left); without it the statement reads the cutoff itself."""
    rules = campaign_rules(campaign)
    cutoff = through_day if through_day is not None else cutoff_of(campaign)
    days, checkins = day_figures(campaign.id, lambda day: day > cutoff)
    totals = EnrollmentTotals.__table__

    def both(recent, settled):
        return cast(func.coalesce(recent, 0) + func.coalesce(settled, 0), Integer)

    qualified = both(days.c.qualified_days, totals.c.qualified_days)
    checked = both(checkins.c.checkin_days, totals.c.checkin_days)
    raw_steps = both(days.c.steps, totals.c.steps)
    steps = (
        case((raw_steps > rules.total_cap, rules.total_cap), else_=raw_steps)
        if rules.total_cap
        else raw_steps
    )
    last_synced_at = case(
        (days.c.last_synced_at.is_(None), totals.c.last_synced_at),
        (totals.c.last_synced_at.is_(None), days.c.last_synced_at),
        (days.c.last_synced_at > totals.c.last_synced_at, days.c.last_synced_at),
        else_=totals.c.last_synced_at,
    )
    took_part = (days.c.enrollment_id.is_not(None)) | (func.coalesce(totals.c.record_days, 0) > 0)
    return (
        select(
            func.rank()
            .over(order_by=individual_order(qualified, checked, steps, last_synced_at))
            .label("rank"),
            Enrollment.id.label("enrollment_id"),
            Enrollment.user_id.label("user_id"),
            Enrollment.unit_id.label("unit_id"),
            TeamMember.team_id.label("team_id"),
            qualified.label("qualified_days"),
            checked.label("checkin_days"),
            steps.label("steps"),
            last_synced_at.label("last_synced_at"),
            case((took_part, 1), else_=0).label("active"),
        )
        .select_from(Enrollment)
        .outerjoin(totals, and_(totals.c.enrollment_id == Enrollment.id, totals.c.campaign_id == campaign.id))
        .outerjoin(days, days.c.enrollment_id == Enrollment.id)
        .outerjoin(checkins, checkins.c.enrollment_id == Enrollment.id)
        .outerjoin(TeamMember, TeamMember.enrollment_id == Enrollment.id)
        .where(Enrollment.campaign_id == campaign.id)
    )


def team_order(qualified_days, steps, members) -> tuple[ColumnElement, ...]:
    per_member = cast(steps, Float) / func.nullif(members, 0)
    return (qualified_days.desc(), func.coalesce(per_member, 0).desc())


def team_board(campaign: Campaign, individual: FromClause) -> Select:
    """Every team with its figures and rank. ``individual`` is the individual board (its snapshot, or the
    live query), whose steps already have each member's total cap applied."""
    steps = (
        select(
            individual.c.team_id.label("team_id"),
            func.coalesce(func.sum(individual.c.steps), 0).label("steps"),
        )
        .where(individual.c.team_id.is_not(None))
        .group_by(individual.c.team_id)
        .subquery("team_steps")
    )
    qualified_days = Team.qualified_days  # recounted by each settlement (team_days.recount_team_days)
    counted = cast(func.coalesce(steps.c.steps, 0), Integer)
    place = places(campaign, select(Team.unit_id).where(Team.campaign_id == campaign.id))
    return (
        select(
            func.rank().over(order_by=team_order(qualified_days, counted, Team.member_count)).label("rank"),
            Team.id.label("team_id"),
            Team.unit_id.label("unit_id"),
            place.c.city_id,
            Team.member_count.label("members"),
            qualified_days.label("qualified_days"),
            counted.label("steps"),
        )
        .select_from(Team)
        .outerjoin(steps, steps.c.team_id == Team.id)
        .outerjoin(place, place.c.unit_id == Team.unit_id)
        .where(Team.campaign_id == campaign.id)
    )


@dataclass(frozen=True)
class UnitFigures:
    unit_id: int
    kind: str  # the group it is ranked in (city unions among themselves, industry unions too)
    members: int
    active_members: int
    qualified_days: int


def unit_merit(entry: UnitFigures, days: int) -> Fraction:
    """Twice the score, exactly: participation + qualification."""
    if not entry.members:
        return Fraction(0)
    participation = Fraction(entry.active_members, entry.members)
    qualification = Fraction(entry.qualified_days, entry.members * days) if days else Fraction(0)
    return participation + qualification


def rank_units(units: list[UnitFigures], days: int) -> list[tuple[int, UnitFigures]]:
    """(rank within its group, figures), groups in order of kind, best first; equal scores share a rank."""
    ranked: list[tuple[int, UnitFigures]] = []
    for kind in sorted({entry.kind for entry in units}):
        group = sorted(
            (entry for entry in units if entry.kind == kind),
            key=lambda entry: (-unit_merit(entry, days), entry.unit_id),
        )
        for position, entry in enumerate(group, start=1):
            tied = position > 1 and unit_merit(group[position - 2], days) == unit_merit(entry, days)
            ranked.append((ranked[-1][0] if tied else position, entry))
    return ranked


def unit_figures(campaign: Campaign, individual: FromClause) -> Select:
    """Per union ranked on the unit board: enrolled members, members with any record, qualified days.
    Grouped per unit first (a thousand rows or so), then each unit is placed under its ranked union: the
    individual board itself carries no places, which keeps its million-row pass as lean as it can be."""
    per_unit = (
        select(
            individual.c.unit_id.label("unit_id"),
            func.count().label("members"),
            func.coalesce(func.sum(individual.c.active), 0).label("active"),
            func.coalesce(func.sum(individual.c.qualified_days), 0).label("qualified"),
        )
        .group_by(individual.c.unit_id)
        .cte("per_unit")
    )
    place = places(campaign, select(per_unit.c.unit_id))
    return (
        select(
            place.c.ranked_unit_id,
            func.sum(per_unit.c.members),
            func.sum(per_unit.c.active),
            func.sum(per_unit.c.qualified),
        )
        .join(place, place.c.unit_id == per_unit.c.unit_id)
        .where(place.c.ranked_unit_id.is_not(None))
        .group_by(place.c.ranked_unit_id)
    )


def unit_standings(campaign: Campaign, individual: FromClause, days: int) -> list[tuple[int, UnitFigures]]:
    """The unit board from the individual board (snapshot or live): every union directly below the
    campaign's union, one with no members counted as 0, ranked within its kind (``rank_units``)."""
    figures = {
        int(unit_id): (int(members), int(active), int(qualified))
        for unit_id, members, active, qualified in db.session.execute(unit_figures(campaign, individual))
    }
    units = [
        UnitFigures(org_id, str(kind), *figures.get(org_id, (0, 0, 0)))
        for org_id, kind in db.session.execute(
            select(Organisation.id, Organisation.kind).where(
                Organisation.parent_id == campaign.organisation_id
            )
        )
    ]
    return rank_units(units, days)
