"""Campaigns: their rules, the campaign row, publishing, enrolling (rules §4)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import ColumnElement, Text, cast, select
from sqlalchemy.exc import IntegrityError

from portal.campaigns.day_rules import local_today
from portal.campaigns.errors import (
    AlreadyEnrolled,
    CampaignNotOpen,
    CampaignStarted,
    NotEligible,
    UnitOutsideUnion,
)
from portal.campaigns.permissions import can_manage
from portal.campaigns.rules import RuleSet, load_preset, parse_rules
from portal.common.audit import record_audit
from portal.extensions import db
from portal.membership.applications import active_membership
from portal.models.base import utcnow
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
from portal.orgs.permissions import require


def campaign_rules(campaign: Campaign) -> RuleSet:
    """The campaign's rules as a checked object (they were checked when written)."""
    return rules_of(campaign.rules)


def rules_of(stored: dict) -> RuleSet:
    """Stored rules as a checked object, parsed once per rule text and process: every report needs them."""
    return rules_from_text(json.dumps(stored, sort_keys=True))


def rules_as_text() -> ColumnElement[str]:
    """The campaign's rules column as its JSON text, for ``rules_from_text``: a statement read on every
    poll then neither decodes the JSON nor has it encoded again to find it parsed."""
    return cast(Campaign.rules, Text)


@lru_cache(maxsize=256)
def rules_from_text(text: str) -> RuleSet:
    """Rules read as text (``rules_as_text``), parsed once per text and process."""
    return RuleSet.model_validate_json(text)


def insert_campaign(
    actor: User | None,
    organisation: Organisation,
    *,
    preset: str,
    start_day: date,
    title: str | None = None,
    publish: bool = False,
) -> Campaign:
    """A campaign row for ``organisation``'s subtree with a preset's rules; it lasts the preset's length.
    Its route and prize pools are copied by ``portal.workflows.campaign_setup.create_campaign``."""
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


def campaign_started(campaign: Campaign, *, now: datetime | None = None) -> bool:
    """Whether the campaign's first local day has come (from then on its counting rules, its route's
    order and targets and its teams' membership are fixed)."""
    return local_today(now or utcnow(), campaign.timezone) >= campaign.start_day


def enrollment_open(campaign: Campaign, *, today: date) -> bool:
    if campaign.published_at is None or campaign.enrolment_closed or today > campaign.end_day:
        return False
    return today < campaign.start_day or campaign_rules(campaign).enrolment_after_start


def enrol(user: User, campaign: Campaign, unit: Organisation) -> Enrollment:
    """Enrol ``user``, competing for ``unit`` (their own union or a unit below it).

    Members of the campaign's union subtree may enrol; others only where the campaign is open to
    non-members, and then for a unit inside the campaign's subtree.
    """
    today = local_today(utcnow(), campaign.timezone)
    if not enrollment_open(campaign, today=today):
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


def list_campaigns_in_scope(scope) -> list[Campaign]:
    query = select(Campaign).join(Campaign.organisation).where(scope.clause(Organisation.path))
    return list(db.session.scalars(query.order_by(Campaign.start_day.desc(), Campaign.id.desc())))


def publish_campaign(actor: User, campaign: Campaign) -> None:
    require(can_manage(actor, campaign))
    if campaign.published_at is None:
        campaign.published_at = utcnow()
        record_audit(
            actor,
            "campaign.publish",
            subject_type="campaign",
            subject_id=campaign.id,
            organisation_id=campaign.organisation_id,
            after={"published": True},
        )


def update_campaign(
    actor: User,
    campaign: Campaign,
    *,
    title: str,
    description: str,
    enrolment_closed: bool,
    open_to_non_members: bool,
    start_day: date,
    rules: dict,
    today: date,
) -> None:
    """Change a campaign. Its counting rules and dates can change only until it starts."""
    require(can_manage(actor, campaign))
    checked = parse_rules(rules)
    before = {"title": campaign.title, "rules": campaign.rules, "start_day": campaign.start_day.isoformat()}
    counting_changed = checked.model_dump(mode="json") != campaign.rules or start_day != campaign.start_day
    if counting_changed and today >= campaign.start_day and campaign.published_at is not None:
        raise CampaignStarted()
    campaign.title, campaign.description = title.strip(), description.strip()
    campaign.enrolment_closed, campaign.open_to_non_members = enrolment_closed, open_to_non_members
    campaign.rules = checked.model_dump(mode="json")
    campaign.start_day = start_day
    campaign.end_day = start_day + timedelta(days=checked.length_days - 1)
    record_audit(
        actor,
        "campaign.update",
        subject_type="campaign",
        subject_id=campaign.id,
        organisation_id=campaign.organisation_id,
        before=before,
        after={"title": campaign.title, "rules": campaign.rules, "start_day": start_day.isoformat()},
    )
