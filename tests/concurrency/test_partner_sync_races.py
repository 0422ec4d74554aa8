"""Partners' batches racing each other and the nightly settlement (PostgreSQL, real threads): no
deadlock, no batch waiting on another's campaign-wide lock, the latest report wins every day, and the
closed days' totals stay those of the records."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.campaigns.campaign import campaign_rules
from portal.campaigns.day_rules import day_closes_at
from portal.campaigns.partner_sync import PartnerDay, sync_partner_batch
from portal.campaigns.settled_totals import TOTALS_MARGIN, settle_totals
from portal.extensions import db
from portal.models import Campaign, DailyRecord, Enrollment
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import (
    a_walk_start_today,
    board_rows,
    enrolled,
    member_of,
    rows_from_records_alone,
    running_campaign,
    today_local,
)
from tests.concurrency.test_races import race

pytestmark = pytest.mark.postgres

MEMBERS = 40
PARTNERS = 6


def test_overlapping_batches_with_closed_days_never_deadlock_and_the_latest_wins(app, tree, make_user):
    campaign = running_campaign(tree["edu"], started_days_ago=3)
    unit = tree["njmu"]
    members = [enrolled(member_of(make_user(), unit), campaign, unit) for _ in range(MEMBERS)]
    phones = [db.session.get(Enrollment, member.id).user.phone for member in members]
    today = today_local()
    days = [today - timedelta(days=2), today - timedelta(days=1), today]
    rules = campaign_rules(campaign)
    # The closed days are in the totals already, so every batch recounts the members it touches.
    settle_totals(campaign, now=day_closes_at(days[1], rules, campaign.timezone) + TOTALS_MARGIN)
    db.session.commit()
    campaign_id = campaign.id
    base = a_walk_start_today()
    moments = {day: base - timedelta(days=(today - day).days) for day in days}

    def send(index: int) -> None:
        if index == PARTNERS:  # the nightly settlement of yesterday, at the same time
            settle_day(db.session.get(Campaign, campaign_id), days[1])
            return
        shuffle = random.Random(index)
        records = [
            PartnerDay(
                phone=phone,
                day=day,
                steps=1000 * (index + 1) + position,
                reported_at=moments[day] + timedelta(seconds=index),  # partner 5's are the latest
                checkin=(position + index) % 2 == 0,
            )
            for position, phone in enumerate(phones)
            for day in days
        ]
        shuffle.shuffle(records)  # each partner lists the same members in another order
        outcomes = sync_partner_batch(campaign_id, records, now=base + timedelta(minutes=5))
        assert all(outcome.error is None for outcome in outcomes)

    for _round in range(3):
        assert race(app, send, threads=PARTNERS + 1) == {"ok": PARTNERS + 1}
    db.session.expire_all()
    stored = db.session.execute(
        select(DailyRecord.enrollment_id, DailyRecord.day, DailyRecord.reported_steps).where(
            DailyRecord.campaign_id == campaign_id
        )
    ).all()
    position = {member.id: index for index, member in enumerate(members)}
    assert len(stored) == MEMBERS * len(days)
    assert all(steps == 1000 * PARTNERS + position[member] for member, _day, steps in stored)
    assert board_rows(campaign) == rows_from_records_alone(campaign)
