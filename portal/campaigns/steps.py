"""Reporting steps and checking in (rules §5): the writes behind the form, the API and imports.

Which report of a day wins (docs/decisions.md, "Partner sync"): the newest by its report time, the
larger count on a tie; a report identical to the stored one changes nothing, not even the day's sync
time, and neither does a report without a time of its own (timed at its arrival) that carries the
stored count again. ``newer_than_stored`` says it once for every writer: the form, the personal API,
imports and the partners' batches (``partner_sync``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from sqlalchemy import ColumnElement, Connection, and_, bindparam, or_, select, true, tuple_

from portal.campaigns.campaign import campaign_rules, rules_of
from portal.campaigns.day_rules import (
    JUMP_FLOOR,
    day_closes_at,
    detect_flag,
    end_of_local_day,
    evaluate_day,
    local_today,
)
from portal.campaigns.errors import (
    CheckinNotOffered,
    DayClosed,
    DayNotYet,
    DayOutsideCampaign,
    InvalidSteps,
    ReportedAtBeforeDay,
    ReportedAtInFuture,
)
from portal.campaigns.rules import CheckinMode, RuleSet
from portal.campaigns.settled_totals import hold_totals, recount_totals
from portal.database import insert_for
from portal.extensions import app_state, db
from portal.models.api import ApiToken, TokenKind
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.steps import Checkin, DailyRecord, ReportSource

MAX_STEPS = 1_000_000
# How far a report's own time may run ahead of its arrival: a phone's or a partner server's clock a
# little fast. Beyond it the record is refused (``ReportedAtInFuture``): a time hours ahead would
# otherwise win the day against every genuine report after it.
CLOCK_SKEW = timedelta(minutes=5)
# A newer report is judged afresh: the review of the day it replaces is cleared.
_RESET_REVIEW = ("appeal_note", "appealed_at", "review", "reviewed_by_id", "reviewed_at")
# The columns a newer report replaces.
REPORTED_COLUMNS = (
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


class NotApplied(StrEnum):
    """Why a well-formed report changed nothing."""

    OLDER_THAN_STORED = "older_than_stored"  # a newer report of the day is stored (or in the same batch)
    SAME_AS_STORED = "same_as_stored"  # the stored report (or another in the same batch) says the same


@dataclass(frozen=True, slots=True)
class StoredReport:
    """A stored day as the step API answers it, from the values just written (report_steps_by_token) or
    read (partner_sync)."""

    enrollment_id: int
    day: date
    reported_steps: int
    counted_steps: int
    qualified: bool
    reason: str
    reported_at: datetime  # the day's sync time: the winning report's own time, or its arrival


@dataclass(frozen=True)
class ReportResult:
    record: DailyRecord | StoredReport
    applied: bool  # False when the report changed nothing; ``not_applied`` says why
    not_applied: NotApplied | None = None


def newer_than_stored(stored, incoming) -> ColumnElement[bool]:
    """The upsert's condition for replacing a stored day (``stored`` and ``incoming`` are the table's
    and the proposed row's columns): a later report time, or the same time and more steps; but never a
    report without a time of its own (its report time is its arrival) that carries the stored count
    again, which would only move the day's sync time."""
    return and_(
        tuple_(stored.reported_at, stored.reported_steps)
        < tuple_(incoming.reported_at, incoming.reported_steps),
        or_(incoming.reported_steps != stored.reported_steps, incoming.reported_at != incoming.received_at),
    )


def why_not_applied(
    stored_steps: int, stored_at: datetime, steps: int, reported_at: datetime, *, own_time: bool
) -> NotApplied:
    """Why a report did not replace the stored day (``newer_than_stored`` was false)."""
    same = stored_steps == steps and (stored_at == reported_at or not own_time)
    return NotApplied.SAME_AS_STORED if same else NotApplied.OLDER_THAN_STORED


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
        raise DayOutsideCampaign()
    if day > local_today(now, terms.timezone):
        raise DayNotYet()
    if not allow_closed and now >= day_closes_at(day, terms.rules, terms.timezone):
        raise DayClosed()


def check_reported_at(terms: CampaignTerms, day: date, reported_at: datetime, *, now: datetime) -> None:
    """Refuse a report time ahead of the arrival (beyond ``CLOCK_SKEW``) or before the day began."""
    if reported_at > now + CLOCK_SKEW:
        raise ReportedAtInFuture()
    if reported_at < end_of_local_day(day - timedelta(days=1), terms.timezone):
        raise ReportedAtBeforeDay()


def checkin_refusal(terms: CampaignTerms) -> CheckinNotOffered | None:
    """Why a report's check-in cannot be recorded (the campaign has no daily check-in), or None. Answered,
    not raised: the report's steps are stored all the same."""
    return CheckinNotOffered() if terms.rules.checkin is CheckinMode.NONE else None


def keeping_first_checkin(insert):
    """``insert`` of check-ins made safe to repeat: a day checked in already keeps its first check-in."""
    return insert.on_conflict_do_nothing(index_elements=["enrollment_id", "day"])


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
    columns = ("campaign_id", "day", *REPORTED_COLUMNS)
    values = [bindparam(name, type_=DailyRecord.__table__.c[name].type) for name in columns]
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
    upsert = replacing_older(insert)
    if by_token:  # the API answers from the values it wrote: only the enrolment it found comes back
        return upsert.returning(DailyRecord.__table__.c.enrollment_id)
    return (
        select(DailyRecord)
        .from_statement(upsert.returning(DailyRecord))
        .execution_options(populate_existing=True)
    )


def replacing_older(insert):
    """``insert`` of days made an upsert: a day already stored is replaced by a newer report
    (``newer_than_stored``), its review cleared, and kept otherwise. Every writer of days uses it."""
    return insert.on_conflict_do_update(
        index_elements=["enrollment_id", "day"],
        set_={**{name: insert.excluded[name] for name in REPORTED_COLUMNS}, **dict.fromkeys(_RESET_REVIEW)},
        where=newer_than_stored(insert.table.c, insert.excluded),
    )


def judge_report(
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
    """The stored values of a report: the checks and rules of rules §5 applied to it."""
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise InvalidSteps()
    check_day_open(terms, day, now=now, allow_closed=allow_closed)
    if reported_at is not None:
        check_reported_at(terms, day, reported_at, now=now)
    reported_at = reported_at or now
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
    """Store a day's report; the newest report (``newer_than_stored``) wins, whatever order they arrive in.

    One upsert, safe under concurrency: the row is replaced only by a newer report than the one stored,
    so two racing reports leave the later one and repeating a report changes nothing.
    """
    target = StepTarget.of(enrollment)
    terms, now = target.terms, now or utcnow()
    values = judge_report(
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
    # RETURNING gives the stored row in the same round trip; nothing comes back only when the stored
    # report stood (the WHERE kept it), and then it is read.
    record = db.session.scalars(_upsert_statement(db.engine.dialect.name, False), values).first()
    if record is not None:
        if totals_through is not None and day <= totals_through:
            recount_totals(terms.campaign_id, target.enrollment_id, totals_through)
        return ReportResult(record=record, applied=True)
    stored = _stored_day(target.enrollment_id, day)
    stood = (stored.reported_steps, stored.reported_at)
    why = why_not_applied(*stood, steps, values["reported_at"], own_time=reported_at is not None)
    return ReportResult(record=stored, applied=False, not_applied=why)


def _stored_day(enrollment_id: int, day: date) -> DailyRecord:
    return db.session.scalars(
        select(DailyRecord)
        .where(DailyRecord.enrollment_id == enrollment_id, DailyRecord.day == day)
        .execution_options(populate_existing=True)
    ).one()


def needs_history(terms: CampaignTerms, steps: int) -> bool:
    """Whether judging this report reads the member's earlier days (the jump check, rules §5)."""
    return steps > JUMP_FLOOR and steps <= terms.rules.implausible_steps


@dataclass(frozen=True, slots=True)
class TokenReport:
    result: ReportResult
    checked_in: bool
    checkin_refused: CheckinNotOffered | None = None


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
    """``report_steps`` (and ``check_in_on`` the day when asked) for the member who owns a live personal
    API token, on the caller's connection and in its transaction: one statement finds the enrolment from
    the token and stores the day. When the stored report stands (a phone's shortcut sending the same count
    again, a late report), a second statement reads it through the token for the answer. None when the
    token is unknown, revoked or not personal, or its owner is not enrolled: the caller then finds out
    which the slower way. Not for a report that ``needs_history``."""
    if needs_history(terms, steps):
        raise ValueError("a report that needs the member's history goes through report_steps")
    now = now or utcnow()
    values = judge_report(
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
    if enrollment_id is not None:
        result = ReportResult(
            record=StoredReport(
                enrollment_id=enrollment_id,
                day=day,
                reported_steps=steps,
                counted_steps=values["counted_steps"],
                qualified=values["qualified"],
                reason=values["reason"],
                reported_at=values["reported_at"],
            ),
            applied=True,
        )
    else:
        standing = connection.execute(_stored_by_token(), values).first()
        if standing is None:
            return None
        record = StoredReport(*standing)
        enrollment_id = record.enrollment_id
        stood = (record.reported_steps, record.reported_at)
        why = why_not_applied(*stood, steps, values["reported_at"], own_time=reported_at is not None)
        result = ReportResult(record=record, applied=False, not_applied=why)
    refused = checkin_refusal(terms) if checkin else None
    checked_in = checkin and refused is None
    if checked_in:  # the day was just accepted, so it is open
        at = values["reported_at"]
        connection.execute(
            _checkin_statement(dialect), {"enrollment_id": enrollment_id, "day": day, "checked_in_at": at}
        )
    return TokenReport(result=result, checked_in=checked_in, checkin_refused=refused)


@lru_cache(maxsize=1)
def _stored_by_token():
    """The stored day of the member who owns a live personal token, as ``StoredReport`` takes it."""
    tokens, enrollments, days = ApiToken.__table__, Enrollment.__table__, DailyRecord.__table__
    return (
        select(
            days.c.enrollment_id,
            days.c.day,
            days.c.reported_steps,
            days.c.counted_steps,
            days.c.qualified,
            days.c.reason,
            days.c.reported_at,
        )
        .select_from(
            tokens.join(enrollments, enrollments.c.user_id == tokens.c.user_id).join(
                days, days.c.enrollment_id == enrollments.c.id
            )
        )
        .where(
            tokens.c.token_hash == bindparam("token_hash"),
            tokens.c.revoked_at.is_(None),
            tokens.c.kind == TokenKind.PERSONAL.value,
            enrollments.c.campaign_id == bindparam("campaign_id"),
            days.c.day == bindparam("day"),
        )
    )


@lru_cache(maxsize=2)
def _checkin_statement(dialect_name: str):
    return keeping_first_checkin(
        insert_for(dialect_name, Checkin).values(
            enrollment_id=bindparam("enrollment_id"),
            day=bindparam("day"),
            checked_in_at=bindparam("checked_in_at"),
        )
    )


def check_in_on(target: StepTarget, day: date, *, at: datetime) -> CheckinNotOffered | None:
    """Record the check-in of a day that a report of the member was just accepted for (the personal API:
    the member checked in on their phone); a day checked in already keeps its first. Returns why not, in
    a campaign without check-in."""
    refused = checkin_refusal(target.terms)
    if refused is not None:
        return refused
    db.session.execute(
        _checkin_statement(db.engine.dialect.name),
        {"enrollment_id": target.enrollment_id, "day": day, "checked_in_at": at},
    )
    return None


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
