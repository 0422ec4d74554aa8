"""Setting a campaign up, which spans campaigns, the route and the prize pools: creating one from a
preset (its row, the preset's landmarks and prize pools), and the checklist of its management page.

The checklist: the work waiting on a campaign, and what it still lacks before it can be published,
shown there and enforced when the admin publishes. Each checklist item says what is needed,
whether it is there, and whether it blocks publishing (a missing description does not; a route without
its landmarks does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.campaigns.campaign import campaign_rules, insert_campaign
from portal.campaigns.errors import CampaignNotReady
from portal.campaigns.rules import RouteMode
from portal.extensions import db
from portal.models.campaign import Campaign, Enrollment
from portal.models.identity import User
from portal.models.org import Organisation
from portal.models.prizes import PrizeKind, PrizePool, PrizeTier
from portal.models.route import Landmark, Reflection
from portal.models.steps import DailyRecord
from portal.rewards.pools import copy_preset_pools, preset_pools
from portal.rewards.quiz import count_questions
from portal.route.admin import copy_preset_route


def create_campaign(
    actor: User | None,
    organisation: Organisation,
    *,
    preset: str,
    start_day: date,
    title: str | None = None,
    publish: bool = False,
) -> Campaign:
    """A campaign for ``organisation``'s subtree with a preset's rules, landmarks and prize pools."""
    campaign = insert_campaign(
        actor, organisation, preset=preset, start_day=start_day, title=title, publish=publish
    )
    copy_preset_route(campaign, campaign_rules(campaign))
    copy_preset_pools(campaign)
    return campaign


@dataclass(frozen=True)
class ChecklistItem:
    label: str
    done: bool
    required: bool
    # Where it is put right: an endpoint taking ``campaign_id`` (None: the rules page itself).
    endpoint: str | None = None


def publish_checklist(campaign: Campaign, *, today: date) -> list[ChecklistItem]:
    rules = campaign_rules(campaign)
    items = [
        ChecklistItem(_l("Rules checked"), True, True),
        ChecklistItem(_l("A description for members"), bool(campaign.description.strip()), False),
        ChecklistItem(_l("Starts today or later"), campaign.start_day >= today, False),
    ]
    if rules.route.mode is not RouteMode.NONE:
        landmarks = db.session.scalar(
            select(func.count()).select_from(Landmark).where(Landmark.campaign_id == campaign.id)
        )
        wanted = max(rules.route.landmarks, 1)
        items.append(
            ChecklistItem(
                _l("The route's %(n)d landmarks", n=wanted),
                landmarks >= wanted,
                True,
                "route_admin.landmarks",
            )
        )
    if rules.quiz.daily_questions:
        items.append(
            ChecklistItem(
                _l("At least %(n)d questions in the bank", n=rules.quiz.daily_questions),
                count_questions(campaign) >= rules.quiz.daily_questions,
                True,
                "route_admin.questions",
            )
        )
    pools = db.session.scalars(select(PrizePool).where(PrizePool.campaign_id == campaign.id)).all()
    if pools or (campaign.preset and preset_pools(campaign.preset)):
        items.append(ChecklistItem(_l("Prize pools set up"), bool(pools), True, "prize_admin.pools"))
    vouchers = db.session.scalars(
        select(PrizeTier).where(
            PrizeTier.pool_id.in_([pool.id for pool in pools]), PrizeTier.kind == PrizeKind.VOUCHER
        )
    ).all()
    if vouchers:  # the codes may come later, before the draws that give them
        items.append(
            ChecklistItem(
                _l("Codes uploaded for every voucher prize"),
                all(tier.remaining > 0 for tier in vouchers),
                False,
                "prize_admin.pools",
            )
        )
    return items


def check_publishable(campaign: Campaign, *, today: date) -> None:
    """Raise ``CampaignNotReady`` naming every required item still missing."""
    missing = [item for item in publish_checklist(campaign, today=today) if item.required and not item.done]
    if missing:
        raise CampaignNotReady([str(item.label) for item in missing])


@dataclass(frozen=True)
class CampaignWork:
    participants: int
    flagged_days: int  # flagged and not yet reviewed
    appealed_days: int  # … of which the member appealed
    reflections: int  # shown to members (hidden ones not counted)


def campaign_work(campaign: Campaign) -> CampaignWork:
    open_flags = select(func.count()).where(
        DailyRecord.campaign_id == campaign.id, DailyRecord.flag.is_not(None), DailyRecord.review.is_(None)
    )
    return CampaignWork(
        participants=db.session.scalar(
            select(func.count()).select_from(Enrollment).where(Enrollment.campaign_id == campaign.id)
        ),
        flagged_days=db.session.scalar(open_flags),
        appealed_days=db.session.scalar(open_flags.where(DailyRecord.appealed_at.is_not(None))),
        reflections=db.session.scalar(
            select(func.count())
            .select_from(Reflection)
            .join(Landmark, Landmark.id == Reflection.landmark_id)
            .where(Landmark.campaign_id == campaign.id, Reflection.hidden_at.is_(None))
        ),
    )
