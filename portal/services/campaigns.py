"""Campaigns: creating them from a preset, publishing, enrolling (SPEC §4)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
from portal.services.audit import record_audit
from portal.services.day_rules import local_today
from portal.services.errors import AlreadyEnrolled, CampaignNotOpen, NotEligible, UnitOutsideUnion
from portal.services.membership import active_membership
from portal.services.rules import RuleSet, load_preset


def campaign_rules(campaign: Campaign) -> RuleSet:
    """The campaign's rules as a checked object (they were checked when written)."""
    return RuleSet.model_validate(campaign.rules)


def create_campaign(
    actor: User | None,
    organisation: Organisation,
    *,
    preset: str,
    start_day: date,
    title: str | None = None,
    publish: bool = False,
) -> Campaign:
    """A campaign for ``organisation``'s subtree with a preset's rules; it lasts the preset's length."""
    defaults, rules = load_preset(preset)
    campaign = Campaign(
        organisation_id=organisation.id,
        title=(title or defaults["title"]).strip(),
        description=defaults.get("description", ""),
        preset=preset,
        rules=rules.model_dump(mode="json"),
        start_day=start_day,
        end_day=start_day + timedelta(days=rules.length_days - 1),
        created_by_id=actor.id if actor else None,
        published_at=utcnow() if publish else None,
    )
    db.session.add(campaign)
    db.session.flush()
    record_audit(
        actor,
        "campaign.create",
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=organisation.id,
        after={"preset": preset, "start_day": start_day.isoformat(), "published": publish},
    )
    return campaign


def enrolment_open(campaign: Campaign, *, today: date) -> bool:
    if campaign.published_at is None or campaign.enrolment_closed or today > campaign.end_day:
        return False
    return today < campaign.start_day or campaign_rules(campaign).enrolment_after_start


def enrol(user: User, campaign: Campaign, unit: Organisation) -> Enrollment:
    """Enrol ``user``, competing for ``unit`` (their own union or a unit below it).

    Members of the campaign's union subtree may enrol; others only where the campaign is open to
    non-members, and then for a unit inside the campaign's subtree.
    """
    today = local_today(utcnow(), campaign.timezone)
    if not enrolment_open(campaign, today=today):
        raise CampaignNotOpen()
    membership = active_membership(user)
    in_subtree = membership is not None and campaign.organisation.contains(membership.organisation)
    if not in_subtree and not campaign.open_to_non_members:
        raise NotEligible()
    home = membership.organisation if in_subtree else campaign.organisation
    if not home.contains(unit):
        raise UnitOutsideUnion()
    enrollment = Enrollment(campaign_id=campaign.id, user_id=user.id, unit_id=unit.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError:
        raise AlreadyEnrolled() from None
    return enrollment
