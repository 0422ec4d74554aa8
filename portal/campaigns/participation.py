"""What a member sees of campaigns: which are open to them, their enrolment, each day and the totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import campaign_total
from portal.campaigns.runs import distance_by_day, list_runs
from portal.common.errors import NotFound
from portal.extensions import db
from portal.membership.applications import active_membership
from portal.models.campaign import Campaign, CampaignDay, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation, OrgKind
from portal.models.steps import Checkin, DailyRecord, Run
from portal.orgs.tree import subtree_clause

UNIT_KINDS = (OrgKind.GRASSROOTS_UNION, OrgKind.UNIT)


def campaigns_open_to(user: User) -> list[Campaign]:
    """Published campaigns of the member's union or a union above it, those open to everyone, and
    those the member is enrolled in; the newest first."""
    membership = active_membership(user)
    ancestors = membership.organisation.ancestor_ids() if membership else []
    enrolled = select(Enrollment.campaign_id).where(Enrollment.user_id == user.id)
    query = select(Campaign).where(
        or_(
            Campaign.id.in_(enrolled),
            Campaign.published_at.is_not(None)
            & (Campaign.organisation_id.in_(ancestors) | Campaign.open_to_non_members),
        )
    )
    return list(db.session.scalars(query.order_by(Campaign.start_day.desc(), Campaign.id.desc())))


def enrolled_campaigns(user: User) -> list[Campaign]:
    """The campaigns the member is enrolled in, the newest first (what their step reports can name)."""
    query = select(Campaign).join(Enrollment, Enrollment.campaign_id == Campaign.id)
    query = query.where(Enrollment.user_id == user.id)
    return list(db.session.scalars(query.order_by(Campaign.start_day.desc(), Campaign.id.desc())))


def campaign_for_member(user: User, campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign not in campaigns_open_to(user):
        raise NotFound()
    return campaign


def campaign_for_viewer(
    user: User, campaign_id: int, *, with_organisation: bool = False
) -> tuple[Campaign, Enrollment | None]:
    """The campaign and the member's enrolment in it (None when not enrolled); a 404 when the campaign is
    not open to them. An enrolled member may always see their campaign (``campaigns_open_to`` lists it),
    which spares the listing: one round trip, with the campaign's union too ``with_organisation``."""
    statement = (
        select(Campaign, Enrollment)
        .outerjoin(Enrollment, and_(Enrollment.campaign_id == Campaign.id, Enrollment.user_id == user.id))
        .where(Campaign.id == campaign_id)
    )
    if with_organisation:
        statement = statement.options(joinedload(Campaign.organisation))
    found = db.session.execute(statement).first()
    if found is None:
        raise NotFound()
    campaign, enrollment = found
    if enrollment is None and campaign not in campaigns_open_to(user):
        raise NotFound()
    return campaign, enrollment


def enrollment_for_member(user: User, campaign_id: int) -> tuple[Campaign, Enrollment]:
    """The campaign and the member's enrolment in it, in one round trip; a 404 when either is not
    theirs."""
    campaign, enrollment = campaign_for_viewer(user, campaign_id)
    if enrollment is None:
        raise NotFound()
    return campaign, enrollment


def find_enrollment(user: User, campaign: Campaign) -> Enrollment | None:
    return db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.campaign_id == campaign.id)
    )


def unit_choices(user: User, campaign: Campaign, *, limit: int = 200) -> list[Organisation]:
    """The units a member may compete for: their own union and the units below it."""
    membership = active_membership(user)
    home = (
        membership.organisation
        if membership and campaign.organisation.contains(membership.organisation)
        else None
    )
    root = home or campaign.organisation
    query = (
        select(Organisation)
        .where(subtree_clause(root.path), Organisation.kind.in_(UNIT_KINDS))
        .order_by(Organisation.path)
        .limit(limit)
    )
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class DayView:
    day: date
    record: DailyRecord | None
    checked_in: bool
    run_distance_m: int = 0


@dataclass(frozen=True)
class Totals:
    qualified_days: int
    checkin_days: int
    counted_steps: int
    last_synced_at: datetime | None


def day_history(
    enrollment: Enrollment, *, today: date, runs: list[Run] | None = None, since: date | None = None
) -> list[DayView]:
    """Every campaign day up to today (newest first; from ``since`` only, when given), with its record,
    check-in and metres run (from ``runs``, the member's runs in this campaign when the caller has read
    them already)."""
    campaign = enrollment.campaign
    last = min(today, campaign.end_day)
    first = max(campaign.start_day, since) if since else campaign.start_day
    records = select(DailyRecord).where(DailyRecord.enrollment_id == enrollment.id)
    checkins = select(Checkin.day).where(Checkin.enrollment_id == enrollment.id)
    if since:
        records, checkins = records.where(DailyRecord.day >= since), checkins.where(Checkin.day >= since)
    record_of = {record.day: record for record in db.session.scalars(records)}
    checked_in = set(db.session.scalars(checkins))
    distances = distance_by_day(list_runs(enrollment) if runs is None else runs)
    days = []
    day = last
    while day >= first:
        days.append(
            DayView(
                day=day,
                record=record_of.get(day),
                checked_in=day in checked_in,
                run_distance_m=distances.get(day, 0),
            )
        )
        day -= timedelta(days=1)
    return days


def totals_of(enrollment: Enrollment, days: list[DayView]) -> Totals:
    rules = campaign_rules(enrollment.campaign)
    records = [view.record for view in days if view.record is not None]
    return Totals(
        qualified_days=sum(1 for record in records if record.qualified),
        checkin_days=sum(1 for view in days if view.checked_in),
        counted_steps=campaign_total(rules, (record.counted_steps for record in records)),
        last_synced_at=max((record.reported_at for record in records), default=None),
    )


@dataclass(frozen=True)
class Donation:
    yuan: int
    counted_steps: int
    as_of: datetime | None  # the last settlement the figure comes from


def sponsor_donation(campaign: Campaign) -> Donation | None:
    """What the sponsor has pledged (rules §6): every ``donation_steps_per_yuan`` counted steps campaign-wide
    make one yuan. Summed over the settled days (one row a day, not a million records per page view)."""
    per_yuan = campaign_rules(campaign).donation_steps_per_yuan
    if not per_yuan:
        return None
    steps, as_of = db.session.execute(
        select(func.coalesce(func.sum(CampaignDay.counted_steps), 0), func.max(CampaignDay.settled_at)).where(
            CampaignDay.campaign_id == campaign.id
        )
    ).one()
    return Donation(yuan=int(steps) // per_yuan, counted_steps=int(steps), as_of=as_of)
