"""Reporting steps and checking in (SPEC §5): the writes behind the form, the API and imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from portal.database import insert_for
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.steps import Checkin, DailyRecord, ReportSource
from portal.services.campaigns import campaign_rules
from portal.services.day_rules import day_closes_at, detect_flag, evaluate_day, local_today
from portal.services.errors import DayNotOpen, InvalidSteps

MAX_STEPS = 1_000_000
_RESET_REVIEW = ("appeal_note", "appealed_at", "review", "reviewed_by_id", "reviewed_at")
_UPDATED = (
    "reported_steps",
    "distance_m",
    "reported_at",
    "received_at",
    "source",
    "counted_steps",
    "qualified",
    "reason",
    "flag",
)


@dataclass(frozen=True)
class ReportResult:
    record: DailyRecord
    applied: bool  # False when a newer report for the day was already stored


def check_day_open(campaign: Campaign, day: date, *, now: datetime, allow_closed: bool = False) -> None:
    """Refuse days outside the campaign, days in the future, and closed days (unless backfilling)."""
    if not campaign.start_day <= day <= campaign.end_day:
        raise DayNotOpen(_l("This day is not part of the campaign."))
    if day > local_today(now, campaign.timezone):
        raise DayNotOpen(_l("Steps cannot be reported for a day that has not come yet."))
    if not allow_closed and now >= day_closes_at(day, campaign_rules(campaign), campaign.timezone):
        raise DayNotOpen(_l("This day has closed; its steps can no longer be changed."))


def _earlier_days(enrollment: Enrollment, day: date) -> list[int]:
    return list(
        db.session.scalars(
            select(DailyRecord.reported_steps)
            .where(DailyRecord.enrollment_id == enrollment.id, DailyRecord.day < day)
            .order_by(DailyRecord.day.desc())
            .limit(14)
        )
    )


@lru_cache(maxsize=2)
def _upsert_statement(dialect_name: str):
    """The report upsert, built once per database kind with bind parameters (typed by their columns)."""
    insert = insert_for(dialect_name, DailyRecord)
    insert = insert.values(
        {name: bindparam(name) for name in ("enrollment_id", "campaign_id", "day", *_UPDATED, *_RESET_REVIEW)}
    )
    upsert = insert.on_conflict_do_update(
        index_elements=["enrollment_id", "day"],
        set_={name: insert.excluded[name] for name in (*_UPDATED, *_RESET_REVIEW)},
        where=DailyRecord.reported_at <= insert.excluded.reported_at,
    )
    return (
        select(DailyRecord)
        .from_statement(upsert.returning(DailyRecord))
        .execution_options(populate_existing=True)
    )


def report_steps(
    enrollment: Enrollment,
    *,
    day: date,
    steps: int,
    source: ReportSource,
    reported_at: datetime | None = None,
    distance_m: int | None = None,
    now: datetime | None = None,
    allow_closed: bool = False,
) -> ReportResult:
    """Store a day's report; the newest report (by ``reported_at``) wins, whatever order they arrive in.

    One upsert, safe under concurrency: the row is replaced only by a report at least as new as the one
    stored, so two racing reports leave the later one and repeating a report changes nothing.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise InvalidSteps()
    now = now or utcnow()
    reported_at = reported_at or now
    campaign = enrollment.campaign
    check_day_open(campaign, day, now=now, allow_closed=allow_closed)
    rules = campaign_rules(campaign)
    flag = detect_flag(rules, steps, lambda: _earlier_days(enrollment, day))
    outcome = evaluate_day(
        rules, day=day, steps=steps, reported_at=reported_at, zone=campaign.timezone, flag=flag
    )
    values = {
        "enrollment_id": enrollment.id,
        "campaign_id": campaign.id,
        "day": day,
        "reported_steps": steps,
        "distance_m": distance_m,
        "reported_at": reported_at,
        "received_at": now,
        "source": source,
        "counted_steps": outcome.counted,
        "qualified": outcome.qualified,
        "reason": outcome.reason.value,
        "flag": flag,
        **dict.fromkeys(_RESET_REVIEW),  # a newer report is judged afresh
    }
    # RETURNING gives the stored row in the same round trip; nothing comes back only when a newer
    # report already stood (the WHERE kept it), and then it is read.
    record = db.session.scalars(_upsert_statement(db.engine.dialect.name), values).first()
    if record is not None:
        return ReportResult(record=record, applied=True)
    record = db.session.scalars(
        select(DailyRecord)
        .where(DailyRecord.enrollment_id == enrollment.id, DailyRecord.day == day)
        .execution_options(populate_existing=True)
    ).one()
    return ReportResult(record=record, applied=False)


def check_in(enrollment: Enrollment, *, now: datetime | None = None) -> Checkin:
    """Check in for today (local); checking in twice the same day keeps the first."""
    now = now or utcnow()
    day = local_today(now, enrollment.campaign.timezone)
    check_day_open(enrollment.campaign, day, now=now)
    db.session.execute(
        insert_for(db.engine.dialect.name, Checkin)
        .values(enrollment_id=enrollment.id, day=day, checked_in_at=now)
        .on_conflict_do_nothing(index_elements=["enrollment_id", "day"])
    )
    return db.session.scalars(
        select(Checkin).where(Checkin.enrollment_id == enrollment.id, Checkin.day == day)
    ).one()
