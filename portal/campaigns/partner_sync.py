"""A partner's batch of day records, stored set-based (docs/api.md, "Pushing in bulk"; the rules in
docs/decisions.md, "Partner sync").

The unions' walking apps deliver their members' steps in batches of up to 10,000 records. Whatever the
batch's size, it costs a fixed handful of statements, never one per record:

1. the members, found by their phones (one SELECT);
2. the earlier days of the few records the jump check needs (one SELECT, usually skipped);
3. only when a record is for a closed day: the totals cutoff held shared (``share_totals``: settlement
   cannot move it, other batches go on), the freeze checked, and the members whose closed-day totals
   may be recounted locked in id order (``lock_for_recount``);
4. the days, one upsert in (member, day) order, returning the days it stored;
5. the stored days of the records that changed nothing (one SELECT, skipped when every record won);
6. the check-ins, one insert in the same order;
7. the recount of the closed-day totals of the members whose closed days changed (a DELETE and an
   INSERT … SELECT). Adding each change to the totals instead was measured slower (an upsert of 10,000
   totals rows against a DELETE and a grouped INSERT of them: 240–360 ms against 200–220 ms).

Every record is judged on its own; a record that cannot be taken gets its own error and the others go
through. The lock order (cutoff, members, days, check-ins) is the same in every batch, so concurrent
batches never wait for each other in a circle.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Boolean, Date, Integer, String, bindparam, select
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.sql import Executable

from portal.campaigns.day_rules import as_utc, day_closes_at
from portal.campaigns.errors import CampaignFrozen, CheckinNotOffered, NotEnrolled
from portal.campaigns.settled_totals import (
    final_day_settled,
    lock_for_recount,
    recount_totals_of,
    share_totals,
)
from portal.campaigns.steps import (
    REPORTED_COLUMNS,
    CampaignTerms,
    NotApplied,
    ReportResult,
    StoredReport,
    checkin_refusal,
    judge_report,
    keeping_first_checkin,
    needs_history,
    replacing_older,
    settled_terms,
    why_not_applied,
)
from portal.common.errors import DomainError, InvalidPhone
from portal.common.phones import parse_phone
from portal.database import among, from_json_rows, insert_for, json_rows
from portal.extensions import db
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.steps import Checkin, DailyRecord, ReportSource

HISTORY_DAYS = 14  # as many earlier days as the single report's jump check reads

# The columns a partner's record writes, in the upsert's order (partners send no distance).
_DAY_COLUMNS = (
    "enrollment_id",
    "campaign_id",
    "day",
    *(name for name in REPORTED_COLUMNS if name != "distance_m"),
)


@dataclass(frozen=True, slots=True)
class PartnerDay:
    """One record of a partner's batch, well-formed (the API checked its types)."""

    phone: str
    day: date
    steps: int
    reported_at: (
        datetime | None
    )  # as sent (no offset: the campaign's zone); None when the partner did not say
    checkin: bool


@dataclass(frozen=True, slots=True)
class PartnerOutcome:
    """What became of one record: an error, or the day as stored and whether this record changed it."""

    error: DomainError | None = None
    result: ReportResult | None = None
    checked_in: bool = False
    checkin_refused: CheckinNotOffered | None = None


@dataclass(slots=True)
class _Accepted:
    index: int
    enrollment_id: int
    values: dict  # the judged day (``judge_report``)
    own_time: bool  # the record said when the phone synced
    checkin: bool
    closed: bool


def sync_partner_batch(
    campaign_id: int, records: Sequence[PartnerDay], *, now: datetime
) -> list[PartnerOutcome]:
    """Store a partner's records for the campaign; one outcome per record, in order. Runs in the caller's
    transaction and commits nothing (the caller commits, or retries the whole batch on a conflict)."""
    terms = _terms(campaign_id, now)
    outcomes: list[PartnerOutcome | None] = [None] * len(records)
    phones: dict[int, str] = {}
    for index, record in enumerate(records):
        try:
            phones[index] = parse_phone(record.phone)
        except InvalidPhone as error:
            outcomes[index] = PartnerOutcome(error=error)
    members = _members_by_phone(campaign_id, set(phones.values()))
    for index, phone in phones.items():
        if phone not in members:
            outcomes[index] = PartnerOutcome(error=NotEnrolled())
    accepted = _judge(terms, records, members, phones, outcomes, now)

    if any(item.closed for item in accepted):
        through_day = share_totals(campaign_id, terms.start_day)
        closes = day_closes_at(terms.end_day, terms.rules, terms.timezone)
        if final_day_settled(campaign_id, terms.end_day, closes, now):
            for item in accepted:
                outcomes[item.index] = PartnerOutcome(error=CampaignFrozen())
            return outcomes
        lock_for_recount({item.enrollment_id for item in accepted if item.values["day"] <= through_day})
    else:
        through_day = None

    winners = _winners(accepted)
    stored_keys = _store_days(winners, now)
    stand = [item for key, item in winners.items() if key not in stored_keys]
    standing = _stored_days(stand)
    checkins = _check_in(terms, accepted)
    if through_day is not None:
        touched = {key[0] for key in stored_keys if key[1] <= through_day}
        touched |= {key[0] for key in checkins.added if key[1] <= through_day}
        recount_totals_of(campaign_id, touched, through_day)

    for item in accepted:
        key = (item.enrollment_id, item.values["day"])
        winner = winners[key]
        if key in stored_keys:
            record = _as_stored(winner.values)
            if item is winner:
                result = ReportResult(record=record, applied=True)
            else:
                result = ReportResult(record=record, applied=False, not_applied=_why_not(item, record))
        else:
            record = standing[key]
            result = ReportResult(record=record, applied=False, not_applied=_why_not(item, record))
        outcomes[item.index] = PartnerOutcome(
            result=result,
            checked_in=item.checkin and checkins.refused is None,
            checkin_refused=checkins.refused if item.checkin else None,
        )
    return outcomes


def _terms(campaign_id: int, now: datetime) -> CampaignTerms:
    """The campaign's terms: kept per process once it has started, read otherwise."""
    return settled_terms(campaign_id, now=now) or CampaignTerms.of(db.session.get_one(Campaign, campaign_id))


def _members_by_phone(campaign_id: int, phones: set[str]) -> dict[str, int]:
    """The enrolment of each phone enrolled in the campaign (one statement)."""
    if not phones:
        return {}
    return dict(
        db.session.execute(
            select(User.phone, Enrollment.id)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.campaign_id == campaign_id, among(User.phone, sorted(phones)))
        ).all()
    )


def _judge(
    terms: CampaignTerms,
    records: Sequence[PartnerDay],
    members: dict[str, int],
    phones: dict[int, str],
    outcomes: list[PartnerOutcome | None],
    now: datetime,
) -> list[_Accepted]:
    """Each record found a member judged by the campaign's rules; refusals go into ``outcomes``."""
    found = {index: members[phone] for index, phone in phones.items() if phone in members}
    history = _histories(terms, [(found[index], records[index]) for index in found])
    accepted = []
    for index, enrollment_id in found.items():
        record = records[index]
        try:
            values = judge_report(
                terms,
                lambda e=enrollment_id, d=record.day: _earlier(history.get(e, ()), d),
                day=record.day,
                steps=record.steps,
                source=ReportSource.PARTNER,
                reported_at=as_utc(record.reported_at, terms.timezone),
                distance_m=None,
                now=now,
                allow_closed=True,
            )
        except DomainError as error:
            outcomes[index] = PartnerOutcome(error=error)
            continue
        values["enrollment_id"] = enrollment_id
        accepted.append(
            _Accepted(
                index=index,
                enrollment_id=enrollment_id,
                values=values,
                own_time=record.reported_at is not None,
                checkin=record.checkin,
                closed=now >= day_closes_at(record.day, terms.rules, terms.timezone),
            )
        )
    return accepted


def _histories(
    terms: CampaignTerms, found: list[tuple[int, PartnerDay]]
) -> dict[int, list[tuple[date, int]]]:
    """The stored days, newest first, of the members whose records the jump check must compare with
    their own history (``needs_history``: rare); one statement for the batch."""
    latest: dict[int, date] = {}
    for enrollment_id, record in found:
        if needs_history(terms, record.steps):
            latest[enrollment_id] = max(record.day, latest.get(enrollment_id, record.day))
    if not latest:
        return {}
    rows = db.session.execute(
        select(DailyRecord.enrollment_id, DailyRecord.day, DailyRecord.reported_steps)
        .where(among(DailyRecord.enrollment_id, sorted(latest)), DailyRecord.day < max(latest.values()))
        .order_by(DailyRecord.enrollment_id, DailyRecord.day.desc())
    )
    history: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for enrollment_id, day, steps in rows:
        history[enrollment_id].append((day, steps))
    return history


def _earlier(history: Sequence[tuple[date, int]], day: date) -> list[int]:
    return [steps for stored_day, steps in history if stored_day < day][:HISTORY_DAYS]


def _newness(item: _Accepted) -> tuple[datetime, int]:
    return item.values["reported_at"], item.values["reported_steps"]


def _winners(accepted: list[_Accepted]) -> dict[tuple[int, date], _Accepted]:
    """The newest record of each (member, day) in the batch, as ``newer_than_stored`` orders them (the
    first of equals): one upsert cannot write a row twice, and the others are answered against it."""
    winners: dict[tuple[int, date], _Accepted] = {}
    for item in accepted:
        key = (item.enrollment_id, item.values["day"])
        best = winners.get(key)
        if best is None or _newness(item) > _newness(best):
            winners[key] = item
    return winners


def _why_not(item: _Accepted, standing: StoredReport) -> NotApplied:
    values = item.values
    return why_not_applied(
        standing.reported_steps,
        standing.reported_at,
        values["reported_steps"],
        values["reported_at"],
        own_time=item.own_time,
    )


def _as_stored(values: dict) -> StoredReport:
    return StoredReport(
        enrollment_id=values["enrollment_id"],
        day=values["day"],
        reported_steps=values["reported_steps"],
        counted_steps=values["counted_steps"],
        qualified=values["qualified"],
        reason=values["reason"],
        reported_at=values["reported_at"],
    )


def _store_days(winners: dict[tuple[int, date], _Accepted], now: datetime) -> set[tuple[int, date]]:
    """Upsert the batch's newest record of each day, in (member, day) order; the keys it stored."""
    if not winners:
        return set()
    rows = [winners[key].values for key in sorted(winners)]
    if db.engine.dialect.name == "postgresql":
        parameters = {
            "rows": json_rows(rows, _INCOMING),
            "campaign_id": rows[0]["campaign_id"],
            "received_at": now,
            "source": ReportSource.PARTNER,
        }
        return {(key[0], key[1]) for key in db.session.execute(_day_upsert_postgresql(), parameters)}
    # SQLite: SQLAlchemy sends the rows as multi-row VALUES pages, with RETURNING ("insertmanyvalues").
    upsert = _upsert_of(insert_for("sqlite", DailyRecord.__table__))
    parameters = [{name: row[name] for name in _DAY_COLUMNS} for row in rows]
    return {(key[0], key[1]) for key in db.session.execute(upsert, parameters)}


# The columns that differ between a batch's records, with their types; the others are the same for the
# whole batch and go as plain parameters.
_INCOMING = {
    "enrollment_id": Integer,
    "day": Date,
    "reported_steps": Integer,
    "reported_at": TIMESTAMP(timezone=True),
    "counted_steps": Integer,
    "qualified": Boolean,
    "reason": String,
    "flag": String,
}


def _upsert_of(insert) -> Executable:
    return replacing_older(insert).returning(insert.table.c.enrollment_id, insert.table.c.day)


@cache
def _day_upsert_postgresql() -> Executable:
    """``INSERT … SELECT … FROM json_array_elements(rows) ORDER BY member, day ON CONFLICT … DO UPDATE …
    WHERE`` newer: the whole batch in one statement and one parameter."""
    incoming = from_json_rows("rows", _INCOMING)
    table = DailyRecord.__table__
    same = {
        name: bindparam(name, type_=table.c[name].type) for name in ("campaign_id", "received_at", "source")
    }
    source = select(
        *(same[name] if name in same else getattr(incoming, name) for name in _DAY_COLUMNS)
    ).order_by(incoming.enrollment_id, incoming.day)
    return _upsert_of(insert_for("postgresql", table).from_select(_DAY_COLUMNS, source))


def _stored_days(items: list[_Accepted]) -> dict[tuple[int, date], StoredReport]:
    """The stored days of these records' (member, day), those that exist (one statement)."""
    if not items:
        return {}
    keys = {(item.enrollment_id, item.values["day"]) for item in items}
    rows = db.session.execute(
        select(
            DailyRecord.enrollment_id,
            DailyRecord.day,
            DailyRecord.reported_steps,
            DailyRecord.counted_steps,
            DailyRecord.qualified,
            DailyRecord.reason,
            DailyRecord.reported_at,
        ).where(
            among(DailyRecord.enrollment_id, sorted({key[0] for key in keys})),
            among(DailyRecord.day, sorted({key[1] for key in keys})),
        )
    )
    found = {(row.enrollment_id, row.day): StoredReport(*row) for row in rows}
    return {key: found[key] for key in keys if key in found}


@dataclass(frozen=True, slots=True)
class _Checkins:
    added: set[tuple[int, date]]  # the days checked in by this batch (not before)
    refused: CheckinNotOffered | None  # the campaign has no check-in


def _check_in(terms: CampaignTerms, accepted: list[_Accepted]) -> _Checkins:
    """The check-ins the batch's records carry, for their days: one insert in (member, day) order; a
    day checked in already keeps its first check-in."""
    asked = {}
    for item in accepted:
        if item.checkin:
            key = (item.enrollment_id, item.values["day"])
            at = item.values["reported_at"]
            asked[key] = min(at, asked.get(key, at))
    refused = checkin_refusal(terms) if asked else None
    if not asked or refused is not None:
        return _Checkins(set(), refused)
    rows = [{"enrollment_id": key[0], "day": key[1], "checked_in_at": asked[key]} for key in sorted(asked)]
    if db.engine.dialect.name == "postgresql":
        added = db.session.execute(_checkin_insert_postgresql(), {"rows": json_rows(rows, _CHECKINS)})
    else:
        added = db.session.execute(_checkins_returning(insert_for("sqlite", Checkin.__table__)), rows)
    return _Checkins({(key[0], key[1]) for key in added}, None)


_CHECKINS = {"enrollment_id": Integer, "day": Date, "checked_in_at": TIMESTAMP(timezone=True)}


@cache
def _checkin_insert_postgresql() -> Executable:
    incoming = from_json_rows("rows", _CHECKINS)
    source = select(incoming.enrollment_id, incoming.day, incoming.checked_in_at).order_by(
        incoming.enrollment_id, incoming.day
    )
    return _checkins_returning(
        insert_for("postgresql", Checkin.__table__).from_select(tuple(_CHECKINS), source)
    )


def _checkins_returning(insert) -> Executable:
    """The check-ins' insert, returning the days it checked in (those not checked in before)."""
    return keeping_first_checkin(insert).returning(insert.table.c.enrollment_id, insert.table.c.day)
