"""Two settlements of the same day at once give the totals of one (PostgreSQL, real threads)."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import Campaign, CampaignDay, ReportSource
from portal.services.settlement import settle_day
from portal.services.steps import report_steps
from tests.campaign_helpers import enrolled, member_of, running_campaign, today_local
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
