"""Two settlements of the same day at once give the totals of one; writes to closed days racing a
settlement leave the boards' totals exact (PostgreSQL, real threads)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.campaigns.settled_totals import totals_cutoff
from portal.campaigns.steps import report_steps
from portal.extensions import db
from portal.models import Campaign, CampaignDay, Enrollment, EnrollmentTotals, ReportSource
from portal.workflows.settlement import settle_day
from tests.campaign_helpers import (
    board_rows,
    enrolled,
    member_of,
    rows_from_records_alone,
    running_campaign,
    today_local,
)
from tests.concurrency.test_races import race

pytestmark = pytest.mark.postgres


def test_concurrent_settlements_agree(app, tree, make_user):
    campaign = running_campaign(tree["edu"])
    day = today_local()
    for steps in (4000, 9000, 25000, 6000):
        report_steps(
            enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]),
            day=day,
            steps=steps,
            source=ReportSource.API,
        )
    campaign.rules = {**campaign.rules, "daily_cap": 8000}
    db.session.commit()
    campaign_id = campaign.id

    outcomes = race(app, lambda _i: settle_day(db.session.get(Campaign, campaign_id), day), threads=6)
    assert outcomes == {"ok": 6}
    rows = db.session.scalars(select(CampaignDay)).all()
    assert len(rows) == 1
    assert (rows[0].reporting, rows[0].qualified, rows[0].counted_steps) == (4, 3, 4000 + 8000 + 8000 + 6000)


def test_closed_days_written_while_settlement_runs_leave_exact_totals(app, tree, make_user):
    """Imports into a closed day racing the settlement that groups it: each write and the settlement
    take the totals' cutoff row first, so every board still equals the one grouped from the records."""
    campaign = running_campaign(tree["edu"], started_days_ago=4)
    members = [enrolled(member_of(make_user(), tree["njmu"]), campaign, tree["njmu"]) for _ in range(5)]
    closed = today_local() - timedelta(days=2)
    for member in members:
        report_steps(member, day=closed, steps=5000, source=ReportSource.IMPORT, allow_closed=True)
    db.session.commit()
    campaign_id, enrollment_ids = campaign.id, [member.id for member in members]

    for round_ in range(3):

        def work(index: int, round_: int = round_) -> None:
            if index == 0:
                settle_day(db.session.get(Campaign, campaign_id), today_local() - timedelta(days=1))
            else:
                report_steps(
                    db.session.get(Enrollment, enrollment_ids[index - 1]),
                    day=closed,
                    steps=6000 + 1000 * round_ + index,
                    source=ReportSource.IMPORT,
                    allow_closed=True,
                )

        assert race(app, work, threads=1 + len(members)) == {"ok": 1 + len(members)}
        db.session.expire_all()
        campaign = db.session.get(Campaign, campaign_id)
        assert totals_cutoff(campaign) >= closed
        assert board_rows(campaign) == rows_from_records_alone(campaign)
        assert sorted(row.steps for row in db.session.scalars(select(EnrollmentTotals))) == [
            6000 + 1000 * round_ + index for index in range(1, 6)
        ]
