"""A board's rows as the pages, the API and the exports show them: their shapes, the statements that
read them from a board (a snapshot table or the live query; ``boards`` chooses), and how a database row
becomes one, and their ranks within a scope (my unit, my city). Names are read with the rows, masked here
(``public_name``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, func, select
from sqlalchemy.sql import FromClause

from portal.boards.definitions import UnitFigures, public_name
from portal.database import read_first
from portal.models.identity import User
from portal.models.org import Organisation
from portal.models.team import Team
from portal.orgs.tree import under_node


@dataclass(frozen=True)
class IndividualRow:
    rank: int  # on the whole board
    scope_rank: int  # within the scope shown (the same as ``rank`` on the whole board)
    enrollment_id: int
    name: str  # masked, or 匿名职工
    unit: str
    phone: str
    qualified_days: int
    checkin_days: int
    steps: int
    last_synced_at: datetime | None


@dataclass(frozen=True)
class TeamRow:
    rank: int
    scope_rank: int
    team_id: int
    team: str
    unit: str
    members: int
    qualified_days: int
    qualification_rate: float
    counted_steps: int
    steps_per_member: float


@dataclass(frozen=True)
class UnitRow:
    rank: int  # within its group
    group: str  # the kind of union: city unions are ranked among themselves, industry unions too
    unit_id: int
    unit: str
    members: int
    active_members: int
    participation_rate: float
    qualification_rate: float
    score: float


def individual_query(board: FromClause) -> Select:
    return (
        select(*individual_columns(board, User, Organisation))
        .join(User, User.id == board.c.user_id)
        .join(Organisation, Organisation.id == board.c.unit_id)
    )


def individual_columns(board: FromClause, user, unit) -> tuple:
    """An individual board's row as ``individual_row`` reads it, names from ``user`` and ``unit``."""
    return (
        board.c.rank,
        board.c.enrollment_id,
        user.real_name,
        user.hide_from_boards,
        user.phone,
        unit.name,
        board.c.qualified_days,
        board.c.checkin_days,
        board.c.steps,
        board.c.last_synced_at,
    )


def individual_row(values, scope_rank: int) -> IndividualRow:
    rank, enrollment_id, real_name, hidden, phone, unit, qualified, checked, steps, last = values[:10]
    return IndividualRow(
        rank=int(rank),
        scope_rank=scope_rank,
        enrollment_id=enrollment_id,
        name=public_name(real_name, hidden),
        unit=unit,
        phone=phone,
        qualified_days=int(qualified),
        checkin_days=int(checked),
        steps=int(steps),
        last_synced_at=last,
    )


def team_query(board: FromClause) -> Select:
    return (
        select(*team_columns(board, Organisation))
        .join(Team, Team.id == board.c.team_id)
        .join(Organisation, Organisation.id == board.c.unit_id)
    )


def team_columns(board: FromClause, unit) -> tuple:
    """A team board's row as ``team_row`` reads it, the unit's name from ``unit``."""
    return (
        board.c.rank,
        board.c.team_id,
        Team.name,
        unit.name,
        board.c.members,
        board.c.qualified_days,
        board.c.steps,
        board.c.city_id,
    )


def team_row(values, scope_rank: int, days: int) -> TeamRow:
    rank, team_id, name, unit, members, qualified, steps = values[:7]
    members, qualified, steps = int(members), int(qualified), int(steps)
    return TeamRow(
        rank=int(rank),
        scope_rank=scope_rank,
        team_id=team_id,
        team=name,
        unit=unit,
        members=members,
        qualified_days=qualified,
        qualification_rate=round(qualified / days, 4) if days else 0.0,
        counted_steps=steps,
        steps_per_member=round(steps / members, 1) if members else 0.0,
    )


def unit_row(rank: int, entry: UnitFigures, name: str, days: int) -> UnitRow:
    participation = entry.active_members / entry.members if entry.members else 0.0
    qualification = entry.qualified_days / (entry.members * days) if entry.members and days else 0.0
    return UnitRow(
        rank=rank,
        group=entry.kind,
        unit_id=entry.unit_id,
        unit=name,
        members=entry.members,
        active_members=entry.active_members,
        participation_rate=round(participation, 4),
        qualification_rate=round(qualification, 4),
        score=round(0.5 * participation + 0.5 * qualification, 4),
    )


class Scope(StrEnum):
    ALL = "all"
    UNIT = "unit"  # the member's own unit
    CITY = "city"  # the city union their unit belongs to


def scope_clause(board: FromClause, scope: Scope, value: int | None):
    if scope is Scope.UNIT:
        return board.c.unit_id == value
    if scope is Scope.CITY:
        if "city_id" in board.c:  # the team board keeps its teams' cities
            return board.c.city_id == value
        return board.c.unit_id.in_(select(Organisation.id).where(under_node(value)))
    return None


def scope_ranks(ranks: list[int], offset: int, first: int | None) -> list[int]:
    """Ranks within a scope for rows read best first from ``offset``: 1 + the scope's rows strictly better,
    so ties keep one rank (1, 2, 2, 4). ``first`` is the first row's, counted when it may tie with rows
    before the offset."""
    scoped: list[int] = []
    for position, rank in enumerate(ranks):
        if position and rank == ranks[position - 1]:
            scoped.append(scoped[-1])
        elif position == 0 and first is not None:
            scoped.append(first)
        else:
            scoped.append(offset + position + 1)
    return scoped


def rank_within(board: FromClause, in_scope, rank: int) -> int:
    """A rank on the whole board as a rank within the scope ``in_scope`` selects (``scope_clause``)."""
    better = select(func.count()).select_from(board).where(in_scope, board.c.rank < rank)
    return 1 + int(read_first(better)[0])  # outside a transaction unless the request has begun one
