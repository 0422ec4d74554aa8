"""Flagged days (rules §5): the member's one appeal and the admin's review, both in the audit log."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import evaluate_day
from portal.campaigns.errors import AlreadyAppealed, AlreadyReviewed, AppealNoteRequired, NotFlagged
from portal.campaigns.permissions import can_manage
from portal.campaigns.settled_totals import hold_totals, recount_totals
from portal.common.audit import record_audit
from portal.common.errors import NotFound
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
from portal.models.steps import DailyRecord, DayReview
from portal.orgs.permissions import require


def _audit(actor: User, action: str, record: DailyRecord, after: dict) -> None:
    campaign = db.session.get(Campaign, record.campaign_id)
    record_audit(
        actor,
        action,
        subject_type="daily_record",
        subject_id=record.id,
        organisation_id=campaign.organisation_id,
        before={"flag": record.flag.value if record.flag else None},
        after=after,
    )


def appeal_day(user: User, record: DailyRecord, note: str) -> None:
    """The member explains a flagged day, once."""
    note = " ".join((note or "").split())
    if record.flag is None or record.review is not None:
        raise NotFlagged()
    if not note or len(note) > 300:
        raise AppealNoteRequired()
    appealed = db.session.execute(
        update(DailyRecord)
        .where(DailyRecord.id == record.id, DailyRecord.appealed_at.is_(None))
        .values(appeal_note=note, appealed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if appealed.rowcount != 1:
        raise AlreadyAppealed()
    db.session.refresh(record)
    _audit(user, "day.appeal", record, {"appeal_note": note})


def review_day(actor: User, record: DailyRecord, decision: DayReview) -> None:
    """Clear a flagged day (it counts as the rules say) or confirm the doubt (it stays at zero)."""
    require(can_manage(actor, db.session.get(Campaign, record.campaign_id)))
    if record.flag is None:
        raise NotFlagged()
    campaign = db.session.get(Campaign, record.campaign_id)
    values = {"review": decision, "reviewed_by_id": actor.id, "reviewed_at": utcnow()}
    if decision is DayReview.CLEARED:
        outcome = evaluate_day(
            campaign_rules(campaign),
            day=record.day,
            steps=record.reported_steps,
            reported_at=record.reported_at,
            zone=campaign.timezone,
            flag=None,
        )
        values.update(counted_steps=outcome.counted, qualified=outcome.qualified, reason=outcome.reason.value)
    totals_through = hold_totals(campaign.id, campaign.start_day)  # the day may be in the boards' totals
    reviewed = db.session.execute(
        update(DailyRecord)
        .where(DailyRecord.id == record.id, DailyRecord.review.is_(None), DailyRecord.flag.is_not(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if reviewed.rowcount != 1:
        raise AlreadyReviewed()
    if record.day <= totals_through:
        recount_totals(campaign.id, record.enrollment_id, totals_through)
    db.session.refresh(record)
    _audit(
        actor,
        f"day.{decision.value}",
        record,
        {"review": decision.value, "counted_steps": record.counted_steps},
    )


def open_flags(scope, *, limit: int = 100) -> list[tuple[DailyRecord, User, Campaign]]:
    """Flagged days not yet reviewed, in campaigns of unions in scope; appealed ones first."""
    query = (
        select(DailyRecord, User, Campaign)
        .join(Enrollment, Enrollment.id == DailyRecord.enrollment_id)
        .join(User, User.id == Enrollment.user_id)
        .join(Campaign, Campaign.id == DailyRecord.campaign_id)
        .join(Organisation, Organisation.id == Campaign.organisation_id)
        .where(DailyRecord.flag.is_not(None), DailyRecord.review.is_(None), scope.clause(Organisation.path))
        .order_by(DailyRecord.appealed_at.is_(None), DailyRecord.day, DailyRecord.id)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


def record_in_scope(scope, record_id: int) -> DailyRecord:
    record = db.session.get(DailyRecord, record_id)
    campaign = db.session.get(Campaign, record.campaign_id) if record else None
    if record is None or not scope.contains(campaign.organisation):
        raise NotFound()
    return record
