"""Refreshing the admin dashboard's figures: each node's totals over its subtree, written to
``node_figures`` (participants, members) and ``node_day_figures`` (per campaign day), so that reading a
dashboard never counts a million rows.

One refresh is a handful of grouped queries, each grouped by the unit's path (at most one row per node
that has anyone below it), rolled up to every ancestor in Python (a path names them all), then written
whole: the campaign's node rows and the refreshed days' rows are replaced. Refreshes of one campaign take
turns on a row lock of its ``figures_refreshes`` row, so two at once give the same rows as one.

When: the board refresh (``portal/jobs.py``) refreshes the open days (today and yesterday) at the
campaign's ranking interval; settling a day refreshes that day after its recount; ``flask campaign
figures`` refreshes every day by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, case, delete, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY

from portal.campaigns.day_rules import end_of_local_day, local_today
from portal.database import insert_for
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.figures import FiguresRefresh, NodeDayFigures, NodeFigures
from portal.models.membership import Membership
from portal.models.org import Organisation
from portal.models.steps import DailyRecord
from portal.orgs.tree import subtree_clause

WRITE_BATCH = 50_000


def refresh_figures(
    campaign: Campaign, *, days: Iterable[date] | None = None, now: datetime | None = None
) -> datetime:
    """Recompute the campaign's node figures and the figures of ``days`` (by default the open days, or
    every day so far the first time); returns the time stamped on them. The caller commits."""
    now = now or utcnow()
    state = _take_turn(campaign.id)
    if days is None:  # a campaign's first refresh fills every day so far (after an upgrade, say)
        days = open_days(campaign, now) if state.computed_at else days_to_date(campaign, now)
    _write_node_figures(campaign)
    for day in days:
        _write_day(campaign, day)
    state.computed_at = now
    db.session.flush()
    return now


def open_days(campaign: Campaign, now: datetime) -> list[date]:
    """The campaign days whose figures may still move: yesterday (within its grace period) and today."""
    today = local_today(now, campaign.timezone)
    return [
        day for day in (today - timedelta(days=1), today) if campaign.start_day <= day <= campaign.end_day
    ]


def days_to_date(campaign: Campaign, now: datetime) -> list[date]:
    """Every campaign day from the first up to today (or the last, once it is over)."""
    last = min(local_today(now, campaign.timezone), campaign.end_day)
    return [campaign.start_day + timedelta(days=n) for n in range((last - campaign.start_day).days + 1)]


def _take_turn(campaign_id: int) -> FiguresRefresh:
    """The campaign's refresh row, locked until the transaction ends (made on the first refresh)."""
    dialect = db.engine.dialect.name
    db.session.execute(
        insert_for(dialect, FiguresRefresh).values(campaign_id=campaign_id).on_conflict_do_nothing()
    )
    return db.session.scalars(
        select(FiguresRefresh)
        .where(FiguresRefresh.campaign_id == campaign_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def roll_up(rows: Iterable[tuple], width: int) -> dict[int, list[int]]:
    """Rows of (path, value, …) summed into every node the path names: each node's subtree totals."""
    totals: dict[int, list[int]] = {}
    for path, *values in rows:
        for part in path.strip("/").split("/"):
            node = int(part)
            sums = totals.get(node)
            if sums is None:
                totals[node] = [int(value or 0) for value in values]
            else:
                for index in range(width):
                    sums[index] += int(values[index] or 0)
    return totals


def _by_unit_path(*columns):
    """A query of ``columns`` over the campaign's enrolments, grouped by the unit's path."""
    return (
        select(Organisation.path, *columns)
        .select_from(Enrollment)
        .join(Organisation, Organisation.id == Enrollment.unit_id)
        .group_by(Organisation.path)
    )


def _write_node_figures(campaign: Campaign) -> None:
    participants = roll_up(
        db.session.execute(_by_unit_path(func.count()).where(Enrollment.campaign_id == campaign.id)), 1
    )
    members = roll_up(
        db.session.execute(
            select(Organisation.path, func.count())
            .select_from(Membership)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.ended_at.is_(None), subtree_clause(campaign.organisation.path))
            .group_by(Organisation.path)
        ),
        1,
    )
    rows = [
        {
            "campaign_id": campaign.id,
            "org_id": node,
            "participants": participants.get(node, [0])[0],
            "members": members.get(node, [0])[0],
        }
        for node in participants.keys() | members.keys()
    ]
    db.session.execute(delete(NodeFigures).where(NodeFigures.campaign_id == campaign.id))
    _insert(NodeFigures, rows)


def _write_day(campaign: Campaign, day: date) -> None:
    enrolled = roll_up(
        db.session.execute(
            _by_unit_path(func.count()).where(
                Enrollment.campaign_id == campaign.id,
                Enrollment.enrolled_at < end_of_local_day(day, campaign.timezone),
            )
        ),
        1,
    )
    reported = roll_up(
        db.session.execute(
            _by_unit_path(
                func.count(DailyRecord.id),
                func.sum(case((DailyRecord.qualified, 1), else_=0)),
                func.sum(DailyRecord.counted_steps),
            )
            .join(DailyRecord, DailyRecord.enrollment_id == Enrollment.id)
            .where(DailyRecord.campaign_id == campaign.id, DailyRecord.day == day)
        ),
        3,
    )
    rows = []
    for node in enrolled.keys() | reported.keys():
        active, qualified, steps = reported.get(node, (0, 0, 0))
        rows.append(
            {
                "campaign_id": campaign.id,
                "org_id": node,
                "day": day,
                "enrolled": enrolled.get(node, [0])[0],
                "active": active,
                "qualified": qualified,
                "steps": steps,
            }
        )
    db.session.execute(
        delete(NodeDayFigures).where(NodeDayFigures.campaign_id == campaign.id, NodeDayFigures.day == day)
    )
    _insert(NodeDayFigures, rows)


def _insert(model, rows: list[dict]) -> None:
    """Write the rows: on PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)`` per batch, a column an
    array (about ten times quicker than a parameter set per row, see docs/benchmarks.md); elsewhere an
    executemany."""
    if not rows:
        return
    table = model.__table__
    names = list(rows[0])
    for start in range(0, len(rows), WRITE_BATCH):
        batch = rows[start : start + WRITE_BATCH]
        if db.engine.dialect.name != "postgresql":
            db.session.execute(insert(table), batch)
            continue
        arrays = [
            bindparam(f"{name}_values", [row[name] for row in batch], type_=ARRAY(table.c[name].type))
            for name in names
        ]
        source = func.unnest(*arrays).table_valued(*names).render_derived()
        db.session.execute(insert(table).from_select(names, select(*(source.c[name] for name in names))))
