"""Each enrolment's totals over the closed days, grouped once by settlement, so that a board refresh
groups only the days since (rules §8; docs/decisions.md, "Boards").

By day 30 of a campaign of a million participants the individual board groups 30 million daily records
and 20 million check-ins at every refresh (every 5 minutes), although all but the last day or two have
closed. Settlement (``settle_day``) groups the closed days into ``EnrollmentTotals`` and records how far
they reach in the campaign's ``TotalsCutoff``; the board adds the records and check-ins after the cutoff.

What keeps the two exact:
1. Only days closed ``TOTALS_MARGIN`` ago or more go into the totals: a report that passed the open-day
   check just before its day closed has been written by then.
2. Every write to a day that may be in the totals (a closed day: imports, partners' backfill, the demo
   seed, the review of a flagged day) holds the cutoff row before it touches a record, as settlement
   does before it recounts, so the two take their locks in the same order and the cutoff cannot move
   under the write; if the day is in the totals, the write then recounts that enrolment's totals in its
   own transaction (``recount_totals``), so records and totals change together. Settlement and the
   single writers hold the row alone (``hold_totals``); partners' batches hold it shared
   (``share_totals``), so batches never wait for each other on it, and each batch then locks the
   enrolments it will recount, in id order (``lock_for_recount``), so two batches recounting one member
   take turns and every recount reads the other's committed records.
3. A refresh reads the cutoff and groups in one snapshot (``board_snapshots``), so the totals it adds
   are the ones the cutoff describes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Subquery, case, delete, func, select, text, true, update

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.database import among, insert_for
from portal.extensions import db
from portal.models.board import EnrollmentTotals, TotalsCutoff
from portal.models.campaign import Campaign, CampaignDay, Enrollment
from portal.models.steps import Checkin, DailyRecord

# How long after a day closes it may go into the totals (rule 1 of the module's docstring).
TOTALS_MARGIN = timedelta(minutes=10)


def nothing_settled(start_day: date) -> date:
    """The cutoff of a campaign whose totals are empty: the day before its first."""
    return start_day - timedelta(days=1)


def last_closed_day(campaign: Campaign, now: datetime) -> date:
    """The campaign's latest day closed ``TOTALS_MARGIN`` ago or more (the day before its first if none)."""
    rules = campaign_rules(campaign)
    day = min(campaign.end_day, now.date() + timedelta(days=1))
    while day >= campaign.start_day and day_closes_at(day, rules, campaign.timezone) + TOTALS_MARGIN > now:
        day -= timedelta(days=1)
    return max(day, nothing_settled(campaign.start_day))


def hold_totals(campaign_id: int, start_day: date) -> date:
    """Hold the campaign's cutoff row for the rest of the transaction (creating it if need be: an upsert
    locks the row it finds) and return the cutoff. Before writing to a closed day, and in settlement."""
    statement = _new_cutoff(campaign_id, start_day).on_conflict_do_update(
        index_elements=["campaign_id"], set_={"through_day": TotalsCutoff.through_day}
    )
    return db.session.scalar(statement.returning(TotalsCutoff.through_day))


def _new_cutoff(campaign_id: int, start_day: date):
    """The insert of a campaign's cutoff row as it starts: nothing settled yet."""
    return insert_for(db.engine.dialect.name, TotalsCutoff).values(
        campaign_id=campaign_id, through_day=nothing_settled(start_day)
    )


def share_totals(campaign_id: int, start_day: date) -> date:
    """Hold the campaign's cutoff row shared for the rest of the transaction and return the cutoff: the
    cutoff cannot move (settlement waits to hold it alone), but other holders of a share go on. Creates
    the row first if the campaign has none, so that there is a row to hold. SQLite has one writer at a
    time anyway and ignores the lock."""
    db.session.execute(
        _new_cutoff(campaign_id, start_day).on_conflict_do_nothing(index_elements=["campaign_id"])
    )
    return db.session.scalar(
        select(TotalsCutoff.through_day)
        .where(TotalsCutoff.campaign_id == campaign_id)
        .with_for_update(read=True)
    )


def lock_for_recount(enrollment_ids: set[int]) -> None:
    """Lock the enrolments whose totals a batch may recount, in id order (so two batches never wait for
    each other in a circle), without blocking the foreign-key checks of writes to their records
    (``FOR NO KEY UPDATE``). Taken after ``share_totals`` and before any record is written."""
    if enrollment_ids:
        db.session.execute(
            select(Enrollment.id)
            .where(among(Enrollment.id, sorted(enrollment_ids)))
            .order_by(Enrollment.id)
            .with_for_update(key_share=True)
        ).all()


def recount_totals(campaign_id: int, enrollment_id: int, through_day: date) -> None:
    """One enrolment's totals grouped again from its records, after a write to a day up to the cutoff
    (``through_day``, as ``hold_totals`` returned it in this transaction)."""
    recount_totals_of(campaign_id, {enrollment_id}, through_day)


def recount_totals_of(campaign_id: int, enrollment_ids: set[int], through_day: date) -> None:
    """``recount_totals`` for several enrolments at once: one DELETE and one INSERT … SELECT."""
    if not enrollment_ids:
        return
    ids = sorted(enrollment_ids)
    db.session.execute(delete(EnrollmentTotals).where(among(EnrollmentTotals.enrollment_id, ids)))
    _insert_totals(campaign_id, through_day, enrollment_ids=ids)


def final_day_settled(campaign_id: int, end_day: date, closes_at: datetime, now: datetime) -> bool:
    """Whether the campaign's last day has closed (``closes_at``) and was settled after that: nothing may
    change its boards any more, so the next refresh freezes them and partners' records are refused."""
    if now < closes_at:
        return False
    settled = db.session.scalar(
        select(CampaignDay.settled_at).where(
            CampaignDay.campaign_id == campaign_id, CampaignDay.day == end_day
        )
    )
    return settled is not None and settled >= closes_at


def cutoff_of(campaign: Campaign) -> ColumnElement:
    """The campaign's totals cutoff as a scalar subquery (the day before its first when it has none)."""
    return func.coalesce(
        select(TotalsCutoff.through_day).where(TotalsCutoff.campaign_id == campaign.id).scalar_subquery(),
        nothing_settled(campaign.start_day),
    )


def totals_cutoff(campaign: Campaign) -> date:
    """How far the campaign's totals reach, read now (``cutoff_of`` is the same inside a statement)."""
    return db.session.scalar(select(cutoff_of(campaign)))


def settle_totals(campaign: Campaign, *, now: datetime) -> date:
    """Group every closed day into the campaign's totals, replacing them, and move the cutoff to the
    last of those days; returns it. Safe to repeat: it always groups from the records. Settlement holds
    the cutoff row from its start (``hold_totals``); holding it here again is harmless."""
    hold_totals(campaign.id, campaign.start_day)
    through_day = last_closed_day(campaign, now)
    db.session.execute(delete(EnrollmentTotals).where(EnrollmentTotals.campaign_id == campaign.id))
    _insert_totals(campaign.id, through_day)
    if db.engine.dialect.name == "postgresql":  # the next refresh plans with the new rows' statistics
        db.session.execute(text("ANALYZE enrollment_totals"))
    db.session.execute(
        update(TotalsCutoff)
        .where(TotalsCutoff.campaign_id == campaign.id)
        .values(through_day=through_day)
        .execution_options(synchronize_session=False)
    )
    return through_day


def day_figures(
    campaign_id: int,
    in_range: Callable[[ColumnElement], ColumnElement],
    *,
    enrollment_ids: list[int] | None = None,
) -> tuple[Subquery, Subquery]:
    """Each enrolment's figures over the days ``in_range`` (given the day column), as two grouped
    subqueries: its daily records (days with a record, qualified days, counted steps, last sync) and its
    check-ins. For every enrolment of the campaign, or only ``enrollment_ids``.

    A member's last sync is the latest sync time of their days: each day's is the report time of the
    report that won it (the phone's, as the partner or the member's shortcut gave it, or the arrival
    of a report without one), so where a partner put a member in its batch never changes the order."""
    some = enrollment_ids is not None
    days = (
        select(
            DailyRecord.enrollment_id.label("enrollment_id"),
            func.count().label("record_days"),
            func.sum(case((DailyRecord.qualified, 1), else_=0)).label("qualified_days"),
            func.sum(DailyRecord.counted_steps).label("steps"),
            func.max(DailyRecord.reported_at).label("last_synced_at"),
        )
        .where(
            DailyRecord.campaign_id == campaign_id,
            in_range(DailyRecord.day),
            among(DailyRecord.enrollment_id, enrollment_ids) if some else true(),
        )
        .group_by(DailyRecord.enrollment_id)
        .subquery("days")
    )
    checkins = (
        select(Checkin.enrollment_id.label("enrollment_id"), func.count().label("checkin_days"))
        .join(Enrollment, Enrollment.id == Checkin.enrollment_id)
        .where(
            Enrollment.campaign_id == campaign_id,
            in_range(Checkin.day),
            among(Checkin.enrollment_id, enrollment_ids) if some else true(),
        )
        .group_by(Checkin.enrollment_id)
        .subquery("checkins")
    )
    return days, checkins


def _insert_totals(campaign_id: int, through_day: date, *, enrollment_ids: list[int] | None = None) -> None:
    """Write the totals up to ``through_day`` of the campaign's enrolments (or of some) that have a
    record or a check-in by then."""
    some = enrollment_ids is not None
    days, checkins = day_figures(campaign_id, lambda day: day <= through_day, enrollment_ids=enrollment_ids)
    totals = (
        select(
            Enrollment.id,
            Enrollment.campaign_id,
            func.coalesce(days.c.record_days, 0),
            func.coalesce(days.c.qualified_days, 0),
            func.coalesce(days.c.steps, 0),
            days.c.last_synced_at,
            func.coalesce(checkins.c.checkin_days, 0),
        )
        .select_from(Enrollment)
        .outerjoin(days, days.c.enrollment_id == Enrollment.id)
        .outerjoin(checkins, checkins.c.enrollment_id == Enrollment.id)
        .where(
            Enrollment.campaign_id == campaign_id,
            days.c.enrollment_id.is_not(None) | checkins.c.enrollment_id.is_not(None),
            among(Enrollment.id, enrollment_ids) if some else true(),
        )
    )
    columns = (
        "enrollment_id",
        "campaign_id",
        "record_days",
        "qualified_days",
        "steps",
        "last_synced_at",
        "checkin_days",
    )
    db.session.execute(EnrollmentTotals.__table__.insert().from_select(columns, totals))
