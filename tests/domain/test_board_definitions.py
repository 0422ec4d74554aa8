"""The boards' orderings (rules §8) against brute-force references, with hypothesis making campaigns full of
ties; each ordering is run through the database, as the refresh and the live boards run it."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, literal, select

from portal.boards.definitions import UnitFigures, individual_order, rank_units, team_order, unit_merit
from portal.extensions import db
from portal.models.base import UTCDateTime

DB_EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MOMENTS = [datetime(2026, 11, 2, 8, minute, tzinfo=UTC) for minute in (0, 0, 5, 30)]


def literal_rows(rows: list[dict], types: dict) -> object:
    """Rows as a derived table (SELECT … UNION ALL SELECT …), which both databases accept."""
    selects = [select(*(literal(row[name], types[name]).label(name) for name in types)) for row in rows]
    return (selects[0].union_all(*selects[1:]) if len(selects) > 1 else selects[0]).subquery()


def ranks_in_sql(rows: list[dict], types: dict, order) -> dict[int, int]:
    source = literal_rows(rows, types)
    query = select(source.c.id, func.rank().over(order_by=order(source.c)))
    return {row_id: int(rank) for row_id, rank in db.session.execute(query)}


people = st.lists(
    st.fixed_dictionaries(
        {
            "qualified": st.integers(0, 2),
            "checked": st.integers(0, 2),
            "steps": st.sampled_from([0, 8000, 16000]),
            "last": st.sampled_from([None, *MOMENTS]),
        }
    ),
    min_size=1,
    max_size=14,
)


@DB_EXAMPLES
@given(rows=people)
def test_individual_order_agrees_with_a_brute_force_reference(app, rows):
    rows = [{"id": index, **row} for index, row in enumerate(rows)]
    types = {"id": None, "qualified": None, "checked": None, "steps": None, "last": UTCDateTime()}
    ranks = ranks_in_sql(rows, types, lambda c: individual_order(c.qualified, c.checked, c.steps, c.last))

    def merit(row):  # bigger is better; never synced is worst on the last key
        never = row["last"] is None
        return (
            row["qualified"],
            row["checked"],
            row["steps"],
            not never,
            -(row["last"] or MOMENTS[0]).timestamp(),
        )

    for row in rows:
        assert ranks[row["id"]] == 1 + sum(1 for other in rows if merit(other) > merit(row))


teams = st.lists(
    st.fixed_dictionaries(
        {
            "qualified": st.integers(0, 3),
            "members": st.integers(1, 6),
            "steps": st.sampled_from([0, 6000, 12000, 18000, 36000, 72000]),
        }
    ),
    min_size=1,
    max_size=14,
)


@DB_EXAMPLES
@given(rows=teams, days=st.integers(1, 100))
def test_team_order_agrees_with_a_brute_force_reference(app, rows, days):
    rows = [{"id": index, **row} for index, row in enumerate(rows)]
    types = dict.fromkeys(("id", "qualified", "members", "steps"))
    ranks = ranks_in_sql(rows, types, lambda c: team_order(c.qualified, c.steps, c.members))

    def merit(row):  # exact: the qualification rate, then steps per member
        return (Fraction(row["qualified"], days), Fraction(row["steps"], row["members"]))

    for row in rows:
        assert ranks[row["id"]] == 1 + sum(1 for other in rows if merit(other) > merit(row))


units = st.lists(
    st.builds(
        UnitFigures,
        unit_id=st.integers(1, 10_000),
        kind=st.sampled_from(["city_union", "industry_union"]),
        members=st.integers(0, 4),
        active_members=st.integers(0, 4),
        qualified_days=st.integers(0, 8),
    ).filter(lambda unit: unit.active_members <= unit.members),
    max_size=12,
    unique_by=lambda unit: unit.unit_id,
)


@given(units=units, days=st.integers(1, 4))
def test_unit_board_ranks_within_groups_like_a_brute_force_reference(units, days):
    def score(unit):
        if not unit.members:
            return Fraction(0)
        return Fraction(1, 2) * Fraction(unit.active_members, unit.members) + Fraction(1, 2) * Fraction(
            unit.qualified_days, unit.members * days
        )

    ranked = rank_units(units, days)
    assert sorted(entry.unit_id for _rank, entry in ranked) == sorted(unit.unit_id for unit in units)
    for rank, entry in ranked:
        group = [other for other in units if other.kind == entry.kind]
        assert rank == 1 + sum(1 for other in group if score(other) > score(entry))
        assert unit_merit(entry, days) == 2 * score(entry)
    kinds = [entry.kind for _rank, entry in ranked]
    assert kinds == sorted(kinds)  # each group together, best first within it
