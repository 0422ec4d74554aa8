"""Reporting steps and checking in (SPEC §5): the writes behind the form, the API and imports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, null, select, true

from portal.database import insert_for
from portal.extensions import app_state, db
from portal.models.api import ApiToken, TokenKind
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.steps import Checkin, DailyRecord, ReportSource
from portal.services.campaigns import campaign_rules, rules_of
from portal.services.day_rules import JUMP_FLOOR, day_closes_at, detect_flag, evaluate_day, local_today
from portal.services.errors import DayNotOpen, InvalidSteps
from portal.services.rules import RuleSet
from portal.services.settled_totals import hold_totals, recount_totals

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


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A stored day as the step API answers it, from the values just written (report_steps_by_token)."""

    enrollment_id: int
    day: date
    reported_steps: int
    counted_steps: int
    qualified: bool
    reason: str
    received_at: datetime


@dataclass(frozen=True)
class ReportResult:
    record: DailyRecord | StoredReport
    applied: bool  # False when a newer report for the day was already stored


@dataclass(frozen=True, slots=True)
class CampaignTerms:
    """What a report needs of a campaign, as plain values: its days, its time zone and its rules."""

    campaign_id: int
    start_day: date
    end_day: date
    timezone: str
    rules: RuleSet

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignTerms:
        return cls(
            campaign_id=campaign.id,
            start_day=campaign.start_day,
            end_day=campaign.end_day,
            timezone=campaign.timezone,
            rules=campaign_rules(campaign),
        )


@dataclass(frozen=True, slots=True)
class StepTarget:
    """The enrolment a report is for, with its campaign's terms."""

    enrollment_id: int
    terms: CampaignTerms

    @classmethod
    def of(cls, enrollment: Enrollment | StepTarget) -> StepTarget:
        if isinstance(enrollment, StepTarget):
            return enrollment
        return cls(enrollment_id=enrollment.id, terms=CampaignTerms.of(enrollment.campaign))


def settled_terms(campaign_id: int, *, now: datetime) -> CampaignTerms | None:
    """The terms of a published campaign that has started, kept per process: from then on its rules and
    days can no longer change (``update_campaign``), so the step API need not read them per report.
    None for a campaign that is unknown, unpublished or not started yet. Read on a connection of its
    own, outside the request's session (the step API's hot path has none)."""
    cache: dict[int, CampaignTerms] = app_state("settled_campaign_terms", dict)
    terms = cache.get(campaign_id)
    if terms is not None:
        return terms
    campaigns = Campaign.__table__
    with db.engine.connect() as connection:
        row = connection.execute(
            select(
                campaigns.c.start_day,
                campaigns.c.end_day,
                campaigns.c.timezone,
                campaigns.c.rules,
                campaigns.c.published_at,
            ).where(campaigns.c.id == campaign_id)
        ).first()
    if row is None or row.published_at is None or local_today(now, row.timezone) < row.start_day:
        return None
    if len(cache) >= 4096:
        cache.clear()
    terms = CampaignTerms(
        campaign_id=campaign_id,
        start_day=row.start_day,
        end_day=row.end_day,
        timezone=row.timezone,
        rules=rules_of(row.rules),
    )
    return cache.setdefault(campaign_id, terms)


def check_day_open(terms: CampaignTerms, day: date, *, now: datetime, allow_closed: bool = False) -> None:
    """Refuse days outside the campaign, days in the future, and closed days (unless backfilling)."""
    if not terms.start_day <= day <= terms.end_day:
        raise DayNotOpen(_l("This day is not part of the campaign."))
    if day > local_today(now, terms.timezone):
        raise DayNotOpen(_l("Steps cannot be reported for a day that has not come yet."))
    if not allow_closed and now >= day_closes_at(day, terms.rules, terms.timezone):
        raise DayNotOpen(_l("This day has closed; its steps can no longer be changed."))


def _earlier_days(enrollment_id: int, day: date) -> list[int]:
    return list(
        db.session.scalars(
            select(DailyRecord.reported_steps)
            .where(DailyRecord.enrollment_id == enrollment_id, DailyRecord.day < day)
            .order_by(DailyRecord.day.desc())
            .limit(14)
        )
    )


@lru_cache(maxsize=4)
def _upsert_statement(dialect_name: str, by_token: bool):
    """The report upsert, built once per database kind with bind parameters (typed by their columns).

    ``INSERT … SELECT``: the enrolment is a parameter, or (``by_token``) it is found in the same
    statement from a live personal API token's hash, so an API report is one round trip."""
    columns = ("campaign_id", "day", *_UPDATED, *_RESET_REVIEW)
    values = [
        bindparam(name, type_=DailyRecord.__table__.c[name].type)
        for name in ("campaign_id", "day", *_UPDATED)
    ]
    values += [null()] * len(_RESET_REVIEW)  # a newer report is judged afresh
    if by_token:
        tokens, enrollments = ApiToken.__table__, Enrollment.__table__
        source = (
            select(enrollments.c.id, *values)
            .select_from(tokens.join(enrollments, enrollments.c.user_id == tokens.c.user_id))
            .where(
                tokens.c.token_hash == bindparam("token_hash"),
                tokens.c.revoked_at.is_(None),
                tokens.c.kind == TokenKind.PERSONAL.value,
                enrollments.c.campaign_id == bindparam("campaign_id"),
            )
        )
    else:
        enrollment_id = bindparam("enrollment_id", type_=DailyRecord.__table__.c.enrollment_id.type)
        source = select(enrollment_id, *values).where(true())  # SQLite's upsert wants a WHERE here
    insert = insert_for(dialect_name, DailyRecord).from_select(["enrollment_id", *columns], source)
    upsert = insert.on_conflict_do_update(
        index_elements=["enrollment_id", "day"],
        set_={name: insert.excluded[name] for name in (*_UPDATED, *_RESET_REVIEW)},
        where=DailyRecord.reported_at <= insert.excluded.reported_at,
    )
    if by_token:  # the API answers from the values it wrote: only the enrolment it found comes back
        return upsert.returning(DailyRecord.__table__.c.enrollment_id)
    return (
        select(DailyRecord)
        .from_statement(upsert.returning(DailyRecord))
        .execution_options(populate_existing=True)
    )


def _judged(
    terms: CampaignTerms,
    history: Callable[[], Sequence[int]] | None,
    *,
    day: date,
    steps: int,
    source: ReportSource,
    reported_at: datetime | None,
    distance_m: int | None,
    now: datetime,
    allow_closed: bool,
) -> dict:
    """The stored values of a report: the checks and rules of SPEC §5 applied to it."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise InvalidSteps()
    reported_at = reported_at or now
    check_day_open(terms, day, now=now, allow_closed=allow_closed)
    flag = detect_flag(terms.rules, steps, history)
    outcome = evaluate_day(
        terms.rules, day=day, steps=steps, reported_at=reported_at, zone=terms.timezone, flag=flag
    )
    return {
        "campaign_id": terms.campaign_id,
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
    }


def report_steps(
    enrollment: Enrollment | StepTarget,
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
    target = StepTarget.of(enrollment)
    terms, now = target.terms, now or utcnow()
    values = _judged(
        terms,
        lambda: _earlier_days(target.enrollment_id, day),
        day=day,
        steps=steps,
        source=source,
        reported_at=reported_at,
        distance_m=distance_m,
        now=now,
        allow_closed=allow_closed,
    )
    values["enrollment_id"] = target.enrollment_id
    # A closed day may be in the boards' totals: hold them before the write, recount them after it.
    totals_through = None
    if allow_closed and now >= day_closes_at(day, terms.rules, terms.timezone):
        totals_through = hold_totals(terms.campaign_id, terms.start_day)
    # RETURNING gives the stored row in the same round trip; nothing comes back only when a newer
    # report already stood (the WHERE kept it), and then it is read.
    record = db.session.scalars(_upsert_statement(db.engine.dialect.name, False), values).first()
    if record is not None:
        if totals_through is not None and day <= totals_through:
            recount_totals(terms.campaign_id, target.enrollment_id, totals_through)
        return ReportResult(record=record, applied=True)
    return ReportResult(record=_stored_day(target.enrollment_id, day), applied=False)


def _stored_day(enrollment_id: int, day: date) -> DailyRecord:
    return db.session.scalars(
        select(DailyRecord)
        .where(DailyRecord.enrollment_id == enrollment_id, DailyRecord.day == day)
        .execution_options(populate_existing=True)
    ).one()


def needs_history(terms: CampaignTerms, steps: int) -> bool:
    """Whether judging this report reads the member's earlier days (the jump check, SPEC §5)."""
    return steps > JUMP_FLOOR and steps <= terms.rules.implausible_steps


@dataclass(frozen=True, slots=True)
class TokenReport:
    result: ReportResult
    checked_in: bool


def report_steps_by_token(
    connection: Connection,
    token_hash: str,
    terms: CampaignTerms,
    *,
    day: date,
    steps: int,
    source: ReportSource,
    reported_at: datetime | None = None,
    checkin: bool = False,
    now: datetime | None = None,
) -> TokenReport | None:
    """``report_steps`` (and ``check_in`` when asked, for today) for the member who owns a live personal
    API token, on the caller's connection and in its transaction: one statement finds the enrolment from
    the token and stores the day. None when it stored nothing: the token is unknown, revoked or not
    personal, its owner is not enrolled, or a newer report stood; the caller then finds out which the
    slower way. Not for a report that ``needs_history``."""
    if needs_history(terms, steps):
        raise ValueError("a report that needs the member's history goes through report_steps")
    now = now or utcnow()
    values = _judged(
        terms,
        None,
        day=day,
        steps=steps,
        source=source,
        reported_at=reported_at,
        distance_m=None,
        now=now,
        allow_closed=False,
    )
    values["token_hash"] = token_hash
    dialect = connection.dialect.name
    enrollment_id = connection.execute(_upsert_statement(dialect, True), values).scalar()
    if enrollment_id is None:
        return None
    checked_in = checkin and day == local_today(now, terms.timezone)
    if checked_in:  # the day was just accepted, so today is open
        connection.execute(
            _checkin_statement(dialect), {"enrollment_id": enrollment_id, "day": day, "checked_in_at": now}
        )
    stored = StoredReport(
        enrollment_id=enrollment_id,
        day=day,
        reported_steps=steps,
        counted_steps=values["counted_steps"],
        qualified=values["qualified"],
        reason=values["reason"],
        received_at=now,
    )
    return TokenReport(result=ReportResult(record=stored, applied=True), checked_in=checked_in)


@lru_cache(maxsize=2)
def _checkin_statement(dialect_name: str):
    return (
        insert_for(dialect_name, Checkin)
        .values(
            enrollment_id=bindparam("enrollment_id"),
            day=bindparam("day"),
            checked_in_at=bindparam("checked_in_at"),
        )
        .on_conflict_do_nothing(index_elements=["enrollment_id", "day"])
    )


def check_in(enrollment: Enrollment | StepTarget, *, now: datetime | None = None) -> Checkin:
    """Check in for today (local); checking in twice the same day keeps the first."""
    now = now or utcnow()
    target = StepTarget.of(enrollment)
    day = local_today(now, target.terms.timezone)
    check_day_open(target.terms, day, now=now)
    db.session.execute(
        _checkin_statement(db.engine.dialect.name),
        {"enrollment_id": target.enrollment_id, "day": day, "checked_in_at": now},
    )
    return db.session.scalars(
        select(Checkin).where(Checkin.enrollment_id == target.enrollment_id, Checkin.day == day)
    ).one()
